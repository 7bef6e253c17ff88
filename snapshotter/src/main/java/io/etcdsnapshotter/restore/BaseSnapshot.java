package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.bolt.SnapshotFiles;
import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.journal.Chain;
import io.etcdsnapshotter.journal.TimeRecord;
import io.etcdsnapshotter.volume.KeptSnapshots;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The full snapshot a restore to a revision starts from: of the snapshot file given and the generations the volume
 * keeps of it, the newest at or before the target that a journal chain continues up to the target (a chain based at
 * or before it that reaches the target). An operator names the volume's file and the point; which generation goes
 * with which chain is worked out here, before anything is written.
 */
public final class BaseSnapshot {
  private static final Logger LOG = LoggerFactory.getLogger(BaseSnapshot.class);

  private BaseSnapshot() {}

  /** The snapshot to restore and the point to replay its journal to. */
  public record Choice(Path snapshot, long snapshotRevision, PointInTime target) {}

  /**
   * A chain's extent, its etcd cluster (null if unknown), and the revisions from which it can restore: from the
   * oldest kept snapshot it continues.
   */
  private record Reach(long base, long last, long from, String cluster) {
    boolean continues(KeptSnapshots.Kept snapshot, long target) {
      return base <= snapshot.revision() && last >= target && snapshot.continuedBy(cluster);
    }
  }

  /** @param toTime null to restore to {@code toRevision}; else the newest revision the journal had received then */
  public static Choice choose(Path file, Path journalDir, long toRevision, Instant toTime, DataKeys keys)
      throws IOException {
    List<KeptSnapshots.Kept> kept = KeptSnapshots.of(file, each -> SnapshotFiles.openBolt(each, keys));
    if (kept.isEmpty()) {
      throw new NoSuchFileException(file + " is not a snapshot file");
    }
    List<Chain> chains = Chain.list(journalDir, keys);
    // At a time the journal followed one etcd cluster: the point is in that cluster's history, not another's.
    Received point = toTime == null ? new Received(toRevision, null) : receivedBy(chains, journalDir, toTime);
    long target = point.revision();
    List<Reach> reaches = new ArrayList<>();
    for (Chain chain : chains) {
      long last = chain.lastRevision();
      String cluster = chain.clusterIdHex();
      if (!KeptSnapshots.sameCluster(point.clusterId(), cluster)) {
        continue;
      }
      // A snapshot of another etcd cluster (the one before a restore, or after it) is never continued by this
      // chain, whatever their revisions: the result would be a keyspace neither cluster ever had.
      long from = kept.stream().filter(k -> k.continuedBy(cluster)).mapToLong(KeptSnapshots.Kept::revision)
          .filter(r -> r >= chain.baseRevision() && r <= last).min().orElse(-1);
      if (from >= 0) {
        reaches.add(new Reach(chain.baseRevision(), last, from, cluster));
      }
    }
    for (KeptSnapshots.Kept snapshot : kept) {
      long at = snapshot.revision();
      if (at <= target && reaches.stream().anyMatch(r -> r.continues(snapshot, target))) {
        LOG.info("restoring {} (revision {}) and the journal in {} up to revision {}", snapshot.file(), at,
            journalDir, target);
        return new Choice(snapshot.file(), at, new PointInTime(journalDir, target, keys,
            snapshot.clusterId()));
      }
    }
    throw new IOException(notCovered(target, file, journalDir, reaches));
  }

  /** A revision the journal had received by some time, and the etcd cluster it came from (null if unknown). */
  public record Received(long revision, String clusterId) {}

  /** What the journal in {@code journalDir} had received last by {@code time}. */
  public static Received receivedBy(Path journalDir, Instant time, DataKeys keys) throws IOException {
    return receivedBy(Chain.list(journalDir, keys), journalDir, time);
  }

  /**
   * The revision of the last time record stamped at or before {@code time}, in any chain. By stamp, not by revision:
   * after a restore to an earlier point the new cluster's revisions are lower than those the old one had reached
   * before it, yet they are what etcd served at that time.
   */
  private static Received receivedBy(List<Chain> chains, Path journalDir, Instant time) throws IOException {
    long millis = time.toEpochMilli();
    TimeRecord newest = null;
    String cluster = null;
    for (Chain chain : chains) {
      TimeRecord last = lastStampedBy(chain, millis);
      if (last != null && (newest == null || last.epochMillis() > newest.epochMillis()
          || last.epochMillis() == newest.epochMillis() && last.revision() > newest.revision())) {
        newest = last;
        cluster = chain.clusterIdHex();
      }
    }
    if (newest == null) {
      throw new IOException("the journal in " + journalDir + " holds no revision received by " + time
          + "; give a later time, or restore the snapshot alone");
    }
    LOG.info("{} is revision {}: the newest the journal had received by then", time, newest.revision());
    return new Received(newest.revision(), cluster);
  }

  /** The chain's last time record stamped at or before {@code millis}, or null. */
  private static TimeRecord lastStampedBy(Chain chain, long millis) throws IOException {
    TimeRecord[] last = {null};
    chain.read(record -> {
      boolean by = !(record instanceof TimeRecord t) || t.epochMillis() <= millis;
      if (record instanceof TimeRecord t && by) {
        last[0] = t;
      }
      return by;
    });
    return last[0];
  }

  /** One line: the revisions that can be restored, and the gap the target falls in if it does. */
  private static String notCovered(long target, Path file, Path journalDir, List<Reach> reaches) {
    if (reaches.isEmpty()) {
      return "revision " + target + " is not covered: the journal in " + journalDir + " holds no chain that"
          + " continues " + file + " or a generation of it; restore the snapshot alone, or give the journal dir of"
          + " its cluster";
    }
    List<long[]> spans = new ArrayList<>();
    reaches.stream().sorted((a, b) -> Long.compare(a.from(), b.from())).forEach(r -> {
      long[] lastSpan = spans.isEmpty() ? null : spans.get(spans.size() - 1);
      if (lastSpan != null && r.from() <= lastSpan[1] + 1) {
        lastSpan[1] = Math.max(lastSpan[1], r.last());
      } else {
        spans.add(new long[] {r.from(), r.last()});
      }
    });
    List<String> shown = spans.stream().map(s -> s[0] + "-" + s[1]).toList();
    String gap = "";
    for (int i = 1; i < spans.size(); i++) {
      if (target > spans.get(i - 1)[1] && target < spans.get(i)[0]) {
        gap = " (it falls in a gap between chains: one ends at " + spans.get(i - 1)[1] + ", the next starts at its"
            + " snapshot's revision " + spans.get(i)[0] + ")";
      }
    }
    String all = shown.size() == 1 ? shown.get(0)
        : String.join(", ", shown.subList(0, shown.size() - 1)) + " and " + shown.get(shown.size() - 1);
    return "revision " + target + " is not covered" + gap + ": the snapshots of " + file + " on the volume and the"
        + " journal in " + journalDir + " can restore " + all + "; give a revision in those";
  }
}
