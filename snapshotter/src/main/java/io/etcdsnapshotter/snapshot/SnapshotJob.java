package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.config.SnapshotConfig;
import io.etcdsnapshotter.volume.SnapshotIndex;
import io.etcdsnapshotter.volume.SnapshotVolume;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A run of {@code snapshot}: every configured cluster is attempted, whatever happened to the others. */
public final class SnapshotJob {
  private final SnapshotConfig config;

  public SnapshotJob(SnapshotConfig config) {
    this.config = config;
  }

  /** Saves every cluster, then reports the run where the config says (nowhere by default). */
  public JobOutcome run() throws IOException {
    try (SnapshotVolume volume = SnapshotVolume.open(config.dir(), config.keep())) {
      SnapshotIndex index = SnapshotIndex.load(volume.dir());
      List<ClusterOutcome> outcomes = new ArrayList<>();
      try (Termination termination = new Termination(volume, index)) {
        ClusterSnapshot snapshot = new ClusterSnapshot(config, volume, termination);
        for (ClusterConfig cluster : config.clusters()) {
          termination.begin(cluster.name());
          ClusterOutcome outcome = snapshot.take(cluster, index.clusters().get(cluster.name()));
          if (!outcome.ok()) {
            termination.failed(outcome); // a success was recorded as it was committed
          }
          outcomes.add(outcome);
        }
      }
      return new JobOutcome(outcomes, new Publication(config.publish()).publish(outcomes, Instant.now()));
    }
  }
}
