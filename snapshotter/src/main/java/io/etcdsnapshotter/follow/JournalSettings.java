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
    long segmentBytes, Duration dialTimeout, Duration retryFor, SegmentKeys keys) {}
