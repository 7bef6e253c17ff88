package io.etcdsnapshotter.follow;

import io.etcdsnapshotter.journal.SegmentKeys;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How one cluster is followed.
 *
 * @param dir the cluster's journal dir
 * @param snapshotRevision the revision of the cluster's newest full snapshot: the journal's chain starts there, or
 *     rolls there once it holds that revision
 * @param snapshotClusterId the cluster ID (hex) that snapshot was taken of: the journal never continues another
 * @param fsyncInterval the longest an appended revision waits to become durable
 * @param segmentBytes the size at which a segment is closed and the next begun
 * @param retryFor how long a broken watch is retried before the journal gives up
 * @param keys whether segments are sealed, and how the segments written before are read
 */
public record JournalSettings(Path dir, long snapshotRevision, String snapshotClusterId, Duration fsyncInterval,
    long segmentBytes, Duration dialTimeout, Duration retryFor, SegmentKeys keys) {
  private static final Duration LONGEST_READ_PACE = Duration.ofMillis(50);

  /**
   * How long the watch's responses may gather before they are read: a twentieth of the fsync interval, at most
   * 50 ms. Read in batches, a watch at 1,000 revisions a second costs half the CPU; a revision becomes durable at
   * most that much later.
   */
  public Duration readPace() {
    Duration share = fsyncInterval.dividedBy(20);
    return share.compareTo(LONGEST_READ_PACE) < 0 ? share : LONGEST_READ_PACE;
  }
}
