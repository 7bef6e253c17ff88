package io.etcdsnapshotter.metrics;

import io.etcdsnapshotter.OneLine;
import io.etcdsnapshotter.config.MetricsConfig;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a run's figures where the config says: the textfile, rewritten whole, and the Pushgateway, one group per
 * etcd cluster ({@code job="etcd-snapshotter"}, {@code cluster_name} if configured, {@code cluster}) plus one for
 * the run ({@code job} and {@code cluster_name}: the volume and the EBS snapshot). Each push replaces its group
 * (PUT): the values of the newest good snapshot come from snapshots.json, not from this run, so a failed run still
 * carries the last success time, and nothing depends on what the Pushgateway kept. A metrics failure is a warning
 * and never changes the run's result: the snapshots do not get worse for it.
 */
public final class MetricsExport {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsExport.class);

  private MetricsExport() {}

  public static void export(MetricsConfig config, RunFigures run) {
    if (config.textfile() != null) {
      try {
        Textfile.write(config.textfile(), Exposition.text(SnapshotMetrics.all(run)));
        LOG.info("wrote metrics to {}", config.textfile());
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not write metrics to {} ({}); the snapshots are unaffected", config.textfile(),
            OneLine.message(e));
      }
    }
    if (config.pushgateway() != null) {
      Pushgateway gateway = new Pushgateway(config.pushgateway());
      try {
        for (ClusterFigures c : run.clusters()) {
          Map<String, String> key = runKey(run);
          key.put(SnapshotMetrics.CLUSTER, c.cluster());
          gateway.put(key, SnapshotMetrics.ofClusters(run, List.of(c)));
        }
        gateway.put(runKey(run), SnapshotMetrics.ofRun(run));
        LOG.info("pushed metrics to {}", config.pushgateway());
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not push metrics to {} ({}); the snapshots are unaffected", config.pushgateway(),
            OneLine.message(e));
      }
    }
  }

  private static Map<String, String> runKey(RunFigures run) {
    Map<String, String> key = new LinkedHashMap<>();
    if (run.clusterName() != null) {
      key.put(SnapshotMetrics.CLUSTER_NAME, run.clusterName());
    }
    return key;
  }
}
