package io.etcdsnapshotter.restore;

import io.etcd.jetcd.api.KeyValue;
import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.journal.Chain;
import io.etcdsnapshotter.journal.LeaseRecord;
import io.etcdsnapshotter.journal.RevisionRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The key-bucket pairs etcd would have written for the revisions after the snapshot's, up to the target, streamed
 * from a journal chain that holds every one of them, one record at a time: a put is its KeyValue under
 * BE64(revision) '_' BE64(sub); a delete is the bare key under the same revision key followed by 't', as etcd's mvcc
 * writes them. A revision missing from the journal is a refusal, never skipped. On the way it follows the leases
 * (see {@link Leases}), reading lease records past the target while a lease a put names is still unknown.
 */
final class JournalReplay {
  private final PointInTime target;
  private final PairSink sink;
  private final Leases leases;
  /** Where a reading for {@link #superseded} gathers the events' keys; null when this reading writes pairs. */
  private final SupersededEvents keys;
  /** The events left out: none, or those a first reading found superseded. */
  private final BitSet superseded;
  /** The number of the next event, from 0 at the first revision replayed. */
  private int events;
  /** The number of the first event at or after {@link #events} not superseded, once looked up. */
  private int nextKept = -1;

  private JournalReplay(PointInTime target, PairSink sink, Leases leases, SupersededEvents keys,
      BitSet superseded) {
    this.target = target;
    this.sink = sink;
    this.leases = leases;
    this.keys = keys;
    this.superseded = superseded;
  }

  /** The revision a restore ends at, and the lease bucket at that revision. */
  record Replayed(long revision, Leases leases) {}

  /** Where the replayed pairs go, in key order; {@code value} is only read, from its position to its limit. */
  interface PairSink {
    void pair(byte[] key, ByteBuffer value) throws IOException;
  }

  /**
   * Streams the pairs for revisions ({@code snapshotRevision}, target] into {@code sink}, in order. A refusal may
   * come after some pairs: the caller writes to a scratch copy.
   */
  static Replayed replay(PointInTime target, BoltFile source, long snapshotRevision, PairSink sink)
      throws IOException {
    return replay(target, source, snapshotRevision, sink, new BitSet());
  }

  /** As {@link #replay}, leaving out the events numbered in {@code superseded} (see {@link #superseded}). */
  static Replayed replay(PointInTime target, BoltFile source, long snapshotRevision, PairSink sink,
      BitSet superseded) throws IOException {
    long to = target.toRevision();
    Leases leases = Leases.of(source);
    new JournalReplay(target, sink, leases, null, superseded).replay(snapshotRevision, to);
    return new Replayed(to, leases);
  }

  /**
   * The events a later event of the same key supersedes, numbered as a replay numbers them: all etcd keeps of them
   * when it compacts past the target, as it does on the first start of a restore marked compacted. Written, they
   * would make the db larger than the source's, after hours of overwrites larger than etcd's space quota, and slower
   * to write. Reads the journal's keys alone, neither values nor leases nor the snapshot, so it can run beside the
   * copy of the snapshot; their sort spills to {@code scratch}.
   */
  static BitSet superseded(PointInTime target, long snapshotRevision, Path scratch) throws IOException {
    try (SupersededEvents keys = new SupersededEvents(scratch, SupersededEvents.DEFAULT_BUFFER)) {
      new JournalReplay(target, null, null, keys, null).replay(snapshotRevision, target.toRevision());
      return keys.result();
    }
  }

  private void replay(long after, long to) throws IOException {
    if (to < after) {
      throw new IOException("the snapshot is at revision " + after + ", past --to-revision " + to
          + "; restore from an older snapshot the journal continues");
    }
    Chain chain = chainReaching(after, to);
    long reached = stream(chain, after, to);
    if (reached != to) {
      throw notHeld(after, to, "chain from " + chain.baseRevision() + " ends at " + reached);
    }
  }

  /** The newest chain that continues the snapshot and reaches {@code to}, from its last segments. */
  private Chain chainReaching(long after, long to) throws IOException {
    List<Chain> chains = target.chains();
    List<String> reach = new ArrayList<>();
    for (int i = chains.size() - 1; i >= 0; i--) {
      Chain chain = chains.get(i);
      long last = chain.lastRevision();
      if (chain.baseRevision() > after) {
        reach.add("chain from " + chain.baseRevision() + " starts after the snapshot");
      } else if (last >= to) {
        return chain;
      } else {
        reach.add("chain from " + chain.baseRevision() + " reaches " + last);
      }
    }
    throw notHeld(after, to, reach.isEmpty() ? "it holds no chain" : String.join("; ", reach));
  }

  private IOException notHeld(long after, long to, String why) {
    return new IOException("the journal in " + target.journalDir() + " does not hold every revision from "
        + (after + 1) + " to " + to + " (" + why + "); restore to a revision it covers, or from a snapshot it"
        + " continues");
  }

  /**
   * Streams the chain's revisions in (after, to], which it holds without a gap, and applies its lease records (when
   * it follows leases); reads on past {@code to} for lease records only while a lease is pending. Returns the last revision streamed.
   */
  private long stream(Chain chain, long after, long to) throws IOException {
    long[] reached = {after};
    chain.read(record -> {
      if (record instanceof RevisionRecord r && r.revision() > after && r.revision() <= to) {
        pairsOf(r);
        reached[0] = r.revision();
      } else if (record instanceof LeaseRecord l && leases != null) {
        if (l.revision() <= to) {
          leases.apply(l);
        } else {
          leases.applyAfter(l);
        }
      }
      return reached[0] < to || leases != null && leases.pending();
    });
    return reached[0];
  }

  private void pairsOf(RevisionRecord record) throws IOException {
    if (keys == null && allSuperseded(record)) {
      return;
    }
    long revision = record.revision();
    int[] sub = {0};
    record.forEachEvent((delete, keyValue, key, modRevision, lease) -> {
      if (modRevision != revision) {
        throw new IOException("the journal's revision " + revision + " holds an event of revision " + modRevision
            + "; move the chain aside and start a new chain from a new snapshot");
      }
      int number = events++;
      if (keys != null) {
        keys.add(key, number);
        return;
      }
      if (delete) {
        leases.deleted(key);
      } else {
        leases.put(key, lease, revision);
      }
      if (!superseded.get(number)) {
        sink.pair(delete ? Backend.tombstone(revision, sub[0]) : Backend.revision(revision, sub[0]),
            delete ? ByteBuffer.wrap(KeyValue.newBuilder().setKey(key).build().toByteArray()) : keyValue);
      }
      sub[0]++;
    });
  }

  /**
   * Whether every event of the record is superseded, so the record is passed over unparsed: after hours of
   * overwrites, nearly all. The first reading checked its events; a key's leases follow from its last event alone.
   */
  private boolean allSuperseded(RevisionRecord record) {
    if (superseded.isEmpty()) {
      return false;
    }
    if (nextKept < events) {
      nextKept = superseded.nextClearBit(events); // a scan over millions of set bits, not to be repeated per record
    }
    int count = record.eventCount();
    if (nextKept < events + count) {
      return false;
    }
    events += count;
    return true;
  }
}
