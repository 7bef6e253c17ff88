package io.etcdsnapshotter.metrics;

import java.util.List;

/**
 * A whole run's figures: each cluster's, the snapshot volume's space, and whether the run took its EBS snapshot
 * ({@code null} when the config asks for none). {@code clusterName} is the Kubernetes cluster's name, or {@code null}.
 */
public record RunFigures(String clusterName, List<ClusterFigures> clusters, long volumeAvailableBytes,
    long volumeSizeBytes, Boolean ebsSnapshotTaken) {}
