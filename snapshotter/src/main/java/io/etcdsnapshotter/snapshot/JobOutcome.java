package io.etcdsnapshotter.snapshot;

import java.util.List;

/**
 * A whole run: how each cluster went, how copying the snapshots off the volume went, then how publishing the run to
 * Kubernetes and AWS went.
 */
public record JobOutcome(List<ClusterOutcome> clusters, CopyOutcome copies, PublishOutcome publish) {}
