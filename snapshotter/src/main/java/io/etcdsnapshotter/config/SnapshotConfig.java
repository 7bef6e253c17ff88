package io.etcdsnapshotter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything one run of {@code snapshot} needs, after the config file and the flags have been merged; {@code publish}
 * says where the run is reported beyond the volume ({@link PublishConfig#NONE}: nowhere).
 */
public record SnapshotConfig(Path dir, int keep, Duration dialTimeout, Duration commandTimeout,
    List<ClusterConfig> clusters, PublishConfig publish) {}
