package io.etcdsnapshotter.metrics;

import io.etcdsnapshotter.volume.DrillOutcome;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's figures as Prometheus metrics (names and units per Prometheus's conventions: base units, {@code _seconds},
 * {@code _bytes}, Unix times as {@code _timestamp_seconds}), built with Prometheus's own client. Every metric of an
 * etcd cluster carries the label {@code cluster} (main, events, ...); every metric carries {@code cluster_name}, the
 * Kubernetes cluster's name, when one is configured. docs/metrics.md describes each.
 */
public final class SnapshotMetrics {
  public static final String CLUSTER = "cluster";
  public static final String CLUSTER_NAME = "cluster_name";
  static final String PREFIX = "etcd_snapshotter_";
  private final List<String> labelNames = new ArrayList<>();
  private final List<String> labelValues = new ArrayList<>();
  /** By name, in the order first set: a name appears once in an exposition, with a data point per cluster. */
  private final Map<String, Gauge> gauges = new LinkedHashMap<>();

  private SnapshotMetrics(String clusterName, String... labelNames) {
    if (clusterName != null) {
      this.labelNames.add(CLUSTER_NAME);
      this.labelValues.add(clusterName);
    }
    this.labelNames.addAll(List.of(labelNames));
  }

  /** The metrics of {@code clusters} (some or all of the run's). */
  public static MetricSnapshots ofClusters(RunFigures run, List<ClusterFigures> clusters) {
    SnapshotMetrics metrics = new SnapshotMetrics(run.clusterName(), CLUSTER);
    for (ClusterFigures c : clusters) {
      metrics.set(c.cluster(), "last_attempt_timestamp_seconds", "When the newest snapshot attempt of this etcd"
          + " cluster started (Unix time).", seconds(c.attemptAt()));
      metrics.set(c.cluster(), "last_attempt_success", "1 if the newest attempt saved a snapshot of this etcd"
          + " cluster, 0 if it failed.", c.attemptOk() ? 1 : 0);
      metrics.set(c.cluster(), "last_attempt_duration_seconds", "How long the newest attempt took, until its"
          + " snapshot was committed or it failed.", seconds(c.attemptDuration()));
      if (c.lastSuccessAt() != null) {
        metrics.set(c.cluster(), "last_success_timestamp_seconds", "When the newest good snapshot on the volume was"
            + " taken (Unix time; read from snapshots.json, so a failed attempt leaves it as it was).",
            seconds(c.lastSuccessAt()));
      }
      if (c.sizeBytes() != null) {
        metrics.set(c.cluster(), "snapshot_size_bytes", "Size on disk of the newest good snapshot file (the bbolt"
            + " database and etcd's 32-byte SHA-256).", c.sizeBytes());
      }
      if (c.revision() != null) {
        metrics.set(c.cluster(), "snapshot_revision", "etcd revision of the newest good snapshot.", c.revision());
      }
      if (c.dbSizeBytes() != null) {
        metrics.set(c.cluster(), "snapshot_db_size_bytes", "Size of the newest good snapshot's bbolt database"
            + " (totalSize of etcdutl snapshot status).", c.dbSizeBytes());
      }
      if (c.drill() != null) {
        metrics.drill(c.cluster(), c.drill());
      }
    }
    return metrics.collect();
  }

  /** The metrics of running journals: how far each is durable, and when it last made sure. */
  public static MetricSnapshots ofJournals(String clusterName, List<JournalFigures> journals) {
    SnapshotMetrics metrics = new SnapshotMetrics(clusterName, CLUSTER);
    for (JournalFigures j : journals) {
      metrics.set(j.cluster(), "journal_revision", "Newest etcd revision the journal of this etcd cluster has made"
          + " durable: a restore can reach it.", j.durableRevision());
      if (j.syncedAt() != null) {
        metrics.set(j.cluster(), "journal_sync_timestamp_seconds", "When the journal last made everything it had"
            + " received durable (Unix time): the point a crash would go back to.", seconds(j.syncedAt()));
      }
    }
    return metrics.collect();
  }

  private void drill(String cluster, DrillOutcome drill) {
    boolean skipped = drill.result() == DrillOutcome.Result.SKIPPED;
    set(cluster, "drill_skipped", "1 if the newest snapshot's restore drill was skipped for want of scratch space"
        + " (then drill_success is absent), 0 if it ran.", skipped ? 1 : 0);
    if (skipped) {
      return;
    }
    set(cluster, "drill_success", "1 if the newest snapshot restored and passed its checks in the restore drill, 0"
        + " if it failed.", drill.failed() ? 0 : 1);
    set(cluster, "drill_duration_seconds", "How long the newest restore drill took, restore and checks.",
        drill.seconds());
    if (drill.revision() != null) {
      set(cluster, "drill_revision", "etcd revision read back from the data dir the newest drill restored.",
          drill.revision());
    }
  }

  /** The metrics of the run as a whole: the snapshot volume's space and the EBS snapshot. */
  public static MetricSnapshots ofRun(RunFigures run) {
    SnapshotMetrics metrics = new SnapshotMetrics(run.clusterName());
    metrics.set(null, "volume_available_bytes", "Bytes free for this tool on the snapshot volume after the run.",
        run.volumeAvailableBytes());
    metrics.set(null, "volume_size_bytes", "Size of the snapshot volume's file system.", run.volumeSizeBytes());
    if (run.ebsSnapshotTaken() != null) {
      metrics.set(null, "ebs_snapshot_success", "1 if the newest run started its EBS snapshot of the volume, 0 if it"
          + " took none (publishing failed, or a cluster failed).", run.ebsSnapshotTaken() ? 1 : 0);
    }
    return metrics.collect();
  }

  /** Everything a run reports, as one exposition: each cluster's metrics and the run's. */
  public static MetricSnapshots all(RunFigures run) {
    List<MetricSnapshot> all = new ArrayList<>(ofClusters(run, run.clusters()).stream().toList());
    all.addAll(ofRun(run).stream().toList());
    return new MetricSnapshots(all);
  }

  /** Sets {@code name}'s data point of {@code cluster} (null: the run's own metrics, which have no such label). */
  private void set(String cluster, String name, String help, double value) {
    Gauge gauge = gauges.computeIfAbsent(name, n -> Gauge.builder().name(PREFIX + n).help(help)
        .labelNames(labelNames.toArray(String[]::new)).withoutExemplars().build());
    List<String> values = new ArrayList<>(labelValues);
    if (cluster != null) {
      values.add(cluster);
    }
    gauge.labelValues(values.toArray(String[]::new)).set(value);
  }

  private MetricSnapshots collect() {
    return new MetricSnapshots(gauges.values().stream().map(Gauge::collect).map(MetricSnapshot.class::cast)
        .toList());
  }

  private static double seconds(Instant at) {
    return at.toEpochMilli() / 1000.0;
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }
}
