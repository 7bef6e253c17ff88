package io.etcdsnapshotter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything one run of {@code snapshot} needs, after the config file and the flags have been merged; {@code publish}
 * says where the run is reported beyond the volume ({@link PublishConfig#NONE}: nowhere). With
 * {@code allowClusterChange} a snapshot may replace one of another etcd cluster (another cluster ID); {@code drill}
 * says whether and where each new snapshot is restored as a trial. {@code metrics} says where the run's metrics go
 * ({@link MetricsConfig#NONE}: nowhere); {@code clusterName} (or {@code null}) is the Kubernetes cluster's name, a
 * label of every metric. {@code rateLimit} caps how fast each snapshot is read from etcd. {@code encryption} says
 * how the files on the volume are encrypted ({@code null}: they are not). {@code s3} says where each good snapshot
 * is copied ({@code null}: nowhere).
 */
public record SnapshotConfig(Path dir, int keep, Duration dialTimeout, Duration commandTimeout,
    List<ClusterConfig> clusters, PublishConfig publish, boolean allowClusterChange, DrillConfig drill,
    MetricsConfig metrics, String clusterName, RateLimit rateLimit, EncryptionConfig encryption, S3Config s3) {

  /** The same run restricted to {@code some} of the clusters. */
  public SnapshotConfig withClusters(List<ClusterConfig> some) {
    return new SnapshotConfig(dir, keep, dialTimeout, commandTimeout, some, publish, allowClusterChange, drill,
        metrics, clusterName, rateLimit, encryption, s3);
  }
}
