package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.config.SnapshotConfig;
import io.etcdsnapshotter.volume.SnapshotIndex;
import io.etcdsnapshotter.volume.SnapshotVolume;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.MDC;

/** A run of {@code snapshot}: every configured cluster is attempted, whatever happened to the others. */
public final class SnapshotJob {
  private final SnapshotConfig config;

  public SnapshotJob(SnapshotConfig config) {
    this.config = config;
  }

  /** Saves (and, with the drill on, trial-restores) every cluster, then reports the run where the config says (nowhere by default). */
  public JobOutcome run() throws IOException {
    try (SnapshotVolume volume = SnapshotVolume.open(config.dir(), config.keep())) {
      SnapshotIndex index = SnapshotIndex.load(volume.dir());
      List<ClusterOutcome> outcomes = new ArrayList<>();
      try (Termination termination = new Termination(volume, index)) {
        ClusterSnapshot snapshot = new ClusterSnapshot(config, volume, termination);
        RestoreDrill drill = new RestoreDrill(config.drill());
        for (ClusterConfig cluster : config.clusters()) {
          // Every log line about this cluster carries its name as a field (in --log-format json).
          try (MDC.MDCCloseable named = MDC.putCloseable("cluster", cluster.name())) {
            termination.begin(cluster.name());
            ClusterOutcome outcome = snapshot.take(cluster, index.clusters().get(cluster.name()));
            if (!outcome.saved()) {
              termination.failed(outcome); // a success was recorded as it was committed
            } else if (config.drill().enabled()) {
              outcome = outcome.withDrill(drill.run(cluster.name(), volume.file(cluster.fileName())));
              termination.drilled(cluster.name(), outcome.drill());
            }
            outcomes.add(outcome);
          }
        }
      }
      return new JobOutcome(outcomes, new Publication(config.publish()).publish(outcomes, Instant.now()));
    }
  }
}
