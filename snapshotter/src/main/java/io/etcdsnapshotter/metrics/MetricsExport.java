package io.etcdsnapshotter.metrics;

import io.etcdsnapshotter.OneLine;
import io.etcdsnapshotter.config.MetricsConfig;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

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
    Map<Map<String, String>, MetricSnapshots> groups = new LinkedHashMap<>();
    for (ClusterFigures c : run.clusters()) {
      groups.put(clusterKey(run.clusterName(), c.cluster()), SnapshotMetrics.ofClusters(run, List.of(c)));
    }
    groups.put(clusterKey(run.clusterName(), null), SnapshotMetrics.ofRun(run));
    export(config.textfile(), config.pushgateway(), Pushgateway.JOB, SnapshotMetrics.all(run), groups,
        "the snapshots are", Level.INFO);
  }

  /**
   * Reports running journals' figures: to the textfile's sibling {@code NAME-journal.prom} (the snapshot runs
   * replace theirs whole), and to the Pushgateway as job {@code etcd-snapshotter-journal}, one group per etcd
   * cluster, so that neither replaces the other's figures.
   */
  public static void exportJournals(MetricsConfig config, String clusterName, List<JournalFigures> journals) {
    Map<Map<String, String>, MetricSnapshots> groups = new LinkedHashMap<>();
    for (JournalFigures j : journals) {
      groups.put(clusterKey(clusterName, j.cluster()), SnapshotMetrics.ofJournals(clusterName, List.of(j)));
    }
    Path textfile = config.textfile() == null ? null : config.textfile().resolveSibling(
        config.textfile().getFileName().toString().replaceFirst("\\.prom$", "") + "-journal.prom");
    export(textfile, config.pushgateway(), Pushgateway.JOURNAL_JOB,
        SnapshotMetrics.ofJournals(clusterName, journals), groups, "the journal is", Level.DEBUG);
  }

  private static void export(Path textfile, URI pushgateway, String job, MetricSnapshots all,
      Map<Map<String, String>, MetricSnapshots> groups, String unaffected, Level done) {
    if (textfile != null) {
      try {
        Textfile.write(textfile, Exposition.text(all));
        LOG.atLevel(done).log("wrote metrics to {}", textfile);
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not write metrics to {} ({}); {} unaffected", textfile, OneLine.message(e), unaffected);
      }
    }
    if (pushgateway != null) {
      Pushgateway gateway = new Pushgateway(pushgateway, job);
      try {
        for (Map.Entry<Map<String, String>, MetricSnapshots> group : groups.entrySet()) {
          gateway.put(group.getKey(), group.getValue());
        }
        LOG.atLevel(done).log("pushed metrics to {}", pushgateway);
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not push metrics to {} ({}); {} unaffected", pushgateway, OneLine.message(e), unaffected);
      }
    }
  }

  /** The grouping key of one etcd cluster's metrics, or of the run's when {@code cluster} is null. */
  private static Map<String, String> clusterKey(String clusterName, String cluster) {
    Map<String, String> key = new LinkedHashMap<>();
    if (clusterName != null) {
      key.put(SnapshotMetrics.CLUSTER_NAME, clusterName);
    }
    if (cluster != null) {
      key.put(SnapshotMetrics.CLUSTER, cluster);
    }
    return key;
  }
}
