package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.config.MetricsConfig;
import io.etcdsnapshotter.config.SnapshotConfig;
import io.etcdsnapshotter.metrics.ClusterFigures;
import io.etcdsnapshotter.metrics.MetricsExport;
import io.etcdsnapshotter.metrics.RunFigures;
import io.etcdsnapshotter.volume.SnapshotIndex;
import io.etcdsnapshotter.volume.SnapshotVolume;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.time.Duration;
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
    Instant runStart = Instant.now();
    try (SnapshotVolume volume = SnapshotVolume.open(config.dir(), config.keep());
        FileKeys keys = new FileKeys(config.encryption());
        UploadHashes uploadHashes = new UploadHashes(config.s3() != null);
        S3Copy s3Copy = config.s3() == null ? null : new S3Copy(config.s3(), volume, uploadHashes, runStart)) {
      SnapshotIndex index = SnapshotIndex.load(volume.dir());
      List<ClusterOutcome> outcomes = new ArrayList<>();
      List<ClusterFigures> figures = new ArrayList<>();
      try (Termination termination = new Termination(volume, index)) {
        ClusterSnapshot snapshot = new ClusterSnapshot(config, volume, termination, uploadHashes);
        RestoreDrill drill = new RestoreDrill(config.drill());
        for (ClusterConfig cluster : config.clusters()) {
          // Every log line about this cluster carries its name as a field (in --log-format json).
          try (MDC.MDCCloseable named = MDC.putCloseable("cluster", cluster.name());
              FileKeys.FileKey key = keys.next()) {
            termination.begin(cluster.name());
            Instant start = Instant.now();
            ClusterOutcome outcome = snapshot.take(cluster, index.clusters().get(cluster.name()), key);
            if (!outcome.saved()) {
              termination.failed(outcome); // a success was recorded as it was committed
            } else if (config.drill().enabled()) {
              outcome = outcome.withDrill(drill.run(cluster.name(), volume.file(cluster.fileName()), key.reader()));
              termination.drilled(cluster.name(), outcome.drill());
            }
            outcomes.add(outcome);
            if (s3Copy != null) {
              s3Copy.start(outcome);
            }
            figures.add(figures(outcome, start, index.clusters().get(cluster.name())));
          }
        }
      }
      CopyOutcome copies = s3Copy == null ? CopyOutcome.NONE : s3Copy.finish();
      PublishOutcome publish = new Publication(config.publish()).publish(outcomes, copies.failures(), Instant.now());
      if (!config.metrics().equals(MetricsConfig.NONE)) {
        exportMetrics(volume, figures, publish);
      }
      return new JobOutcome(outcomes, copies, publish);
    }
  }

  /** Only when asked for: a run without metrics has no use for the volume's space figures. */
  private void exportMetrics(SnapshotVolume volume, List<ClusterFigures> figures, PublishOutcome publish)
      throws IOException {
    FileStore store = Files.getFileStore(volume.dir());
    boolean ebsSnapshots = config.publish().aws() != null && config.publish().aws().ebsSnapshots() != null;
    MetricsExport.export(config.metrics(), new RunFigures(config.clusterName(), figures, store.getUsableSpace(),
        store.getTotalSpace(), ebsSnapshots ? publish.ebsSnapshot() != null : null));
  }

  /**
   * This attempt, and the newest good snapshot as {@code snapshots.json} now records it ({@code entry}: null, or
   * without a file, while the cluster has none).
   */
  private static ClusterFigures figures(ClusterOutcome outcome, Instant start, SnapshotIndex.Entry entry) {
    Duration took = Duration.between(start, Instant.now());
    boolean saved = entry != null && entry.file != null && entry.takenAt != null;
    // A file that failed its drill was still saved: the drill has its own metric and alert.
    return new ClusterFigures(outcome.cluster(), start, outcome.saved(), took,
        saved ? Instant.parse(entry.takenAt) : null, saved ? entry.size : null, saved ? entry.revision : null,
        saved ? entry.totalSize : null, outcome.drill());
  }
}
