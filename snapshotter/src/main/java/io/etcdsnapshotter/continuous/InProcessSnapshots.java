package io.etcdsnapshotter.continuous;

import io.etcdsnapshotter.OneLine;
import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.config.SnapshotConfig;
import io.etcdsnapshotter.snapshot.ClusterOutcome;
import io.etcdsnapshotter.snapshot.JobOutcome;
import io.etcdsnapshotter.snapshot.SnapshotJob;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Full snapshots taken by the journal command itself, through the same run as the snapshot command (volume lock,
 * atomic file, checks, index, and the copies, publication and metrics the config asks for).
 */
final class InProcessSnapshots {
  private static final Logger LOG = LoggerFactory.getLogger(InProcessSnapshots.class);
  private final SnapshotConfig config;

  InProcessSnapshots(SnapshotConfig config) {
    this.config = config;
  }

  /**
   * Snapshots {@code clusters}; returns the one-line failure of each that was not saved (null for those saved). A
   * failed copy or publication after a save is a warning only: the snapshot on the volume is good to continue from.
   */
  List<String> take(List<ClusterConfig> clusters) {
    JobOutcome job;
    try {
      job = new SnapshotJob(config.withClusters(runFor(clusters))).run();
    } catch (IOException | RuntimeException e) {
      String failure = OneLine.message(e);
      return clusters.stream().map(c -> failure).toList();
    }
    for (ClusterOutcome outcome : job.clusters()) {
      if (outcome.ok()) {
        LOG.info("{}", outcome.describe());
      } else {
        LOG.warn("{}", outcome.describe());
      }
    }
    job.copies().failures().forEach(failure -> LOG.warn("{}", failure));
    if (!job.publish().ok()) {
      LOG.warn("{}", job.publish().failure());
    }
    Map<String, ClusterOutcome> byName = job.clusters().stream()
        .collect(Collectors.toMap(ClusterOutcome::cluster, outcome -> outcome));
    return clusters.stream().map(cluster -> byName.get(cluster.name()))
        .map(outcome -> outcome.saved() ? null : outcome.failure()).toList();
  }

  /**
   * The textfile is rewritten whole by each run, so a run of some clusters only would drop the others' series (and
   * resolve a failing cluster's alert falsely): with one, every cluster is taken, those asked for first.
   */
  private List<ClusterConfig> runFor(List<ClusterConfig> clusters) {
    if (config.metrics().textfile() == null) {
      return clusters;
    }
    return Stream.concat(clusters.stream(), config.clusters().stream()).distinct().toList();
  }
}
