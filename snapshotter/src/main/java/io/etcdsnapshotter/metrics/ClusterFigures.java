package io.etcdsnapshotter.metrics;

import io.etcdsnapshotter.volume.DrillOutcome;
import java.time.Duration;
import java.time.Instant;

/**
 * One etcd cluster's figures after a run: this run's attempt ({@code attemptAt}, {@code attemptOk},
 * {@code attemptDuration}) and the newest good snapshot on the volume ({@code lastSuccessAt}, {@code sizeBytes},
 * {@code revision}, {@code dbSizeBytes}), which a failed attempt leaves as they were; all four {@code null} while the
 * cluster has none; and the restore drill of this attempt's file ({@code drill}, {@code null} when none ran).
 */
public record ClusterFigures(String cluster, Instant attemptAt, boolean attemptOk, Duration attemptDuration,
    Instant lastSuccessAt, Long sizeBytes, Long revision, Long dbSizeBytes, DrillOutcome drill) {}
