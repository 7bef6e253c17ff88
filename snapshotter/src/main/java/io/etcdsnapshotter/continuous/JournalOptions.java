package io.etcdsnapshotter.continuous;

import java.time.Duration;

/**
 * How the journal command runs beyond the config: how often it fsyncs, how large a segment grows, how long a broken
 * watch is retried, and how often it takes full snapshots itself ({@code null}: never on a schedule, only after a
 * gap).
 */
public record JournalOptions(Duration fsyncInterval, long segmentBytes, Duration retryFor,
    Duration snapshotInterval) {}
