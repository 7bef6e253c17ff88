package io.etcdsnapshotter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.volume.DrillOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotMetricsTest {
  static final Instant TAKEN = Instant.parse("2026-11-22T06:02:00.250Z");
  static final Instant ATTEMPT = Instant.parse("2026-11-23T06:02:00Z");
  static final ClusterFigures MAIN_FAILED = new ClusterFigures("main", ATTEMPT, false, Duration.ofMillis(1500),
      TAKEN, 24_608L, 1234L, 24_576L, null);
  static final ClusterFigures EVENTS_NEVER_SAVED = new ClusterFigures("events", ATTEMPT, false,
      Duration.ofSeconds(5), null, null, null, null, null);

  @Test
  void aFailedAttemptStillCarriesTheLastGoodSnapshot() {
    Map<String, Double> samples = samples(new RunFigures("prod-eu", List.of(MAIN_FAILED), 1000, 4096, null));
    String main = "{cluster=\"main\",cluster_name=\"prod-eu\"}";
    assertThat(samples).containsEntry("etcd_snapshotter_last_attempt_success" + main, 0.0)
        .containsEntry("etcd_snapshotter_last_attempt_timestamp_seconds" + main, ATTEMPT.getEpochSecond() * 1.0)
        .containsEntry("etcd_snapshotter_last_attempt_duration_seconds" + main, 1.5)
        .containsEntry("etcd_snapshotter_last_success_timestamp_seconds" + main, TAKEN.toEpochMilli() / 1000.0)
        .containsEntry("etcd_snapshotter_snapshot_size_bytes" + main, 24_608.0)
        .containsEntry("etcd_snapshotter_snapshot_revision" + main, 1234.0)
        .containsEntry("etcd_snapshotter_snapshot_db_size_bytes" + main, 24_576.0)
        .containsEntry("etcd_snapshotter_volume_available_bytes{cluster_name=\"prod-eu\"}", 1000.0)
        .containsEntry("etcd_snapshotter_volume_size_bytes{cluster_name=\"prod-eu\"}", 4096.0);
    assertThat(samples.keySet()).noneMatch(name -> name.startsWith("etcd_snapshotter_ebs_snapshot_success"));
  }

  @Test
  void aDrillReportsItsResultDurationAndRevisionAndASkippedOneOnlyThatItWasSkipped() {
    ClusterFigures drilled = new ClusterFigures("main", ATTEMPT, true, Duration.ofSeconds(2), TAKEN, 24_608L, 1234L,
        24_576L, DrillOutcome.ok(1.25, 1234));
    ClusterFigures failed = new ClusterFigures("events", ATTEMPT, true, Duration.ofSeconds(2), TAKEN, 100L, 7L, 68L,
        DrillOutcome.failed(0.5, "restored data dir failed its check"));
    ClusterFigures skipped = new ClusterFigures("other", ATTEMPT, true, Duration.ofSeconds(2), TAKEN, 100L, 7L, 68L,
        DrillOutcome.skipped("no room"));

    Map<String, Double> samples = samples(new RunFigures(null, List.of(drilled, failed, skipped), 1, 2, null));

    assertThat(samples).containsEntry("etcd_snapshotter_drill_success{cluster=\"main\"}", 1.0)
        .containsEntry("etcd_snapshotter_drill_duration_seconds{cluster=\"main\"}", 1.25)
        .containsEntry("etcd_snapshotter_drill_revision{cluster=\"main\"}", 1234.0)
        .containsEntry("etcd_snapshotter_drill_skipped{cluster=\"main\"}", 0.0)
        .containsEntry("etcd_snapshotter_drill_success{cluster=\"events\"}", 0.0)
        .containsEntry("etcd_snapshotter_drill_skipped{cluster=\"other\"}", 1.0)
        .doesNotContainKeys("etcd_snapshotter_drill_revision{cluster=\"events\"}",
            "etcd_snapshotter_drill_success{cluster=\"other\"}");
  }

  @Test
  void aClusterNeverSavedHasNoSuccessTimeToMislead() {
    Map<String, Double> samples = samples(new RunFigures(null, List.of(EVENTS_NEVER_SAVED), 1, 2, true));
    assertThat(samples).containsOnlyKeys(
        "etcd_snapshotter_last_attempt_success{cluster=\"events\"}",
        "etcd_snapshotter_last_attempt_timestamp_seconds{cluster=\"events\"}",
        "etcd_snapshotter_last_attempt_duration_seconds{cluster=\"events\"}",
        "etcd_snapshotter_volume_available_bytes",
        "etcd_snapshotter_volume_size_bytes",
        "etcd_snapshotter_ebs_snapshot_success");
    assertThat(samples).containsEntry("etcd_snapshotter_ebs_snapshot_success", 1.0);
  }

  @Test
  void eachNameAppearsOnceWithADataPointPerCluster() {
    String text = new String(Exposition.text(SnapshotMetrics.all(
        new RunFigures(null, List.of(MAIN_FAILED, EVENTS_NEVER_SAVED), 1, 2, false))), StandardCharsets.UTF_8);
    assertThat(text.lines().filter(l -> l.equals("# TYPE etcd_snapshotter_last_attempt_success gauge"))).hasSize(1);
    assertThat(Samples.parse(text)).containsKeys("etcd_snapshotter_last_attempt_success{cluster=\"main\"}",
        "etcd_snapshotter_last_attempt_success{cluster=\"events\"}");
  }

  private static Map<String, Double> samples(RunFigures run) {
    return Samples.parse(new String(Exposition.text(SnapshotMetrics.all(run)), StandardCharsets.UTF_8));
  }
}
