package io.etcdsnapshotter.restore;

import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.journal.Chain;
import io.etcdsnapshotter.journal.RevisionRecord;
import io.etcdsnapshotter.journal.TimeRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key-bucket pairs etcd would have written for the revisions after the snapshot's, up to the target, taken from a
 * journal chain that holds every one of them: a put is its KeyValue under BE64(revision) '_' BE64(sub); a delete is
 * the bare key under the same revision key followed by 't', as etcd's mvcc writes them. A revision missing from the
 * journal is a refusal, never skipped. Leases are not journalled yet: a put attached to a lease the snapshot does not
 * hold is refused, since etcd would start with the key silently unattached.
 */
final class JournalReplay {
  private static final Logger LOG = LoggerFactory.getLogger(JournalReplay.class);
  private final PointInTime target;
  private final BoltFile source;

  private JournalReplay(PointInTime target, BoltFile source) {
    this.target = target;
    this.source = source;
  }

  /** The revision a restore ends at, and the key-bucket pairs of the revisions after the snapshot's up to it. */
  record Replayed(long revision, List<byte[][]> pairs) {}

  /** The pairs for revisions ({@code snapshotRevision}, target], in order. */
  static Replayed replay(PointInTime target, BoltFile source, long snapshotRevision) throws IOException {
    long to = targetRevision(target, snapshotRevision);
    return new Replayed(to, new JournalReplay(target, source).pairsAfter(snapshotRevision, to));
  }

  /** The revision a restore to {@code target} ends at: the one given, or the newest received by the time given. */
  private static long targetRevision(PointInTime target, long snapshotRevision) throws IOException {
    if (target.toTime() == null) {
      return target.toRevision();
    }
    long millis = target.toTime().toEpochMilli();
    long[] newest = {0};
    for (Chain chain : Chain.list(target.journalDir())) {
      if (chain.baseRevision() <= snapshotRevision) {
        chain.read(record -> {
          if (record instanceof TimeRecord time && time.epochMillis() <= millis) {
            newest[0] = Math.max(newest[0], time.revision());
          }
          return !(record instanceof TimeRecord time && time.epochMillis() > millis);
        });
      }
    }
    if (newest[0] < snapshotRevision) {
      throw new IOException("the journal in " + target.journalDir() + " holds no revision after the snapshot's ("
          + snapshotRevision + ") received by " + target.toTime() + "; restore the snapshot alone, or from an"
          + " older snapshot");
    }
    LOG.info("{} is revision {}: the newest the journal had received by then", target.toTime(), newest[0]);
    return newest[0];
  }

  private List<byte[][]> pairsAfter(long after, long to) throws IOException {
    if (to < after) {
      throw new IOException("the snapshot is at revision " + after + ", past --to-revision " + to
          + "; restore from an older snapshot the journal continues");
    }
    List<Chain> chains = Chain.list(target.journalDir());
    List<String> reach = new ArrayList<>();
    for (int i = chains.size() - 1; i >= 0; i--) {
      Chain chain = chains.get(i);
      if (chain.baseRevision() > after) {
        reach.add("chain from " + chain.baseRevision() + " starts after the snapshot");
        continue;
      }
      List<RevisionRecord> revisions = revisions(chain, after, to);
      long reached = revisions.isEmpty() ? after : revisions.get(revisions.size() - 1).revision();
      if (reached == to) {
        return pairsOf(revisions);
      }
      reach.add("chain from " + chain.baseRevision() + " reaches " + reached + " without a gap");
    }
    throw new IOException("the journal in " + target.journalDir() + " does not hold every revision from " + (after + 1)
        + " to " + to + " (" + (reach.isEmpty() ? "it holds no chain" : String.join("; ", reach))
        + "); restore to a revision it covers, or from a snapshot it continues");
  }

  /** The chain's revisions in (after, to] while they follow each other without a gap. */
  private static List<RevisionRecord> revisions(Chain chain, long after, long to) throws IOException {
    List<RevisionRecord> revisions = new ArrayList<>();
    long[] next = {after + 1};
    chain.read(record -> {
      if (record instanceof RevisionRecord r && r.revision() > after) {
        if (r.revision() != next[0] || r.revision() > to) {
          return false;
        }
        revisions.add(r);
        next[0]++;
      }
      return true;
    });
    return revisions;
  }

  private List<byte[][]> pairsOf(List<RevisionRecord> revisions) throws IOException {
    List<byte[][]> pairs = new ArrayList<>();
    for (RevisionRecord record : revisions) {
      List<Event> events = record.events();
      for (int sub = 0; sub < events.size(); sub++) {
        KeyValue kv = events.get(sub).getKv();
        if (kv.getModRevision() != record.revision()) {
          throw new IOException("the journal's revision " + record.revision() + " holds an event of revision "
              + kv.getModRevision() + "; move the chain aside and start a new one from a new snapshot");
        }
        if (events.get(sub).getType() == Event.EventType.DELETE) {
          pairs.add(new byte[][] {Backend.tombstone(record.revision(), sub),
              KeyValue.newBuilder().setKey(kv.getKey()).build().toByteArray()});
        } else {
          requireLease(kv);
          pairs.add(new byte[][] {Backend.revision(record.revision(), sub), kv.toByteArray()});
        }
      }
    }
    return pairs;
  }

  private void requireLease(KeyValue kv) throws IOException {
    if (kv.getLease() != 0 && source.get(Backend.LEASE, Backend.bigEndian(kv.getLease())).isEmpty()) {
      throw new IOException("revision " + kv.getModRevision() + " attaches key " + kv.getKey().toStringUtf8()
          + " to lease " + Long.toHexString(kv.getLease()) + ", granted after the snapshot; the journal does not"
          + " record leases yet, so etcd would start with the key unattached: restore to a revision before "
          + kv.getModRevision() + ", or from a newer snapshot");
    }
  }
}
