package io.etcdsnapshotter.e2e.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar's metrics as Prometheus would read them: a real snapshot run against a real etcd pushes to a real
 * Pushgateway and writes a node-exporter textfile, and both hold what snapshots.json and the file on disk say.
 */
class PushgatewayTest {
  private static final Map<String, String> MAIN = Map.of("job", "etcd-snapshotter", "cluster_name", "prod-eu",
      "cluster", "main");
  private static final Map<String, String> RUN = Map.of("job", "etcd-snapshotter", "cluster_name", "prod-eu");

  @TempDir Path tmp;

  @Test
  void aRunPushesWhatItSavedAndAFailedRunKeepsTheLastSuccessTime() throws Exception {
    Path volume = tmp.resolve("volume");
    Path textfile = tmp.resolve("etcd-snapshotter.prom");
    try (PushgatewayServer gateway = PushgatewayServer.start();
        EtcdCluster cluster = EtcdCluster.start(EtcdVersion.V3_6, 1, Security.PLAIN)) {
      cluster.etcdctl().ok("put", "/registry/secrets/default/one", "value");
      ProcessResult saved = Jar.run("snapshot", "--dir", volume.toString(), "--cluster",
          "main=" + cluster.endpoints(), "--cluster-name", "prod-eu", "--pushgateway", gateway.url().toString(),
          "--metrics-textfile", textfile.toString(), "--drill");
      assertThat(saved.exitCode()).as(saved.toString()).isZero();

      JsonNode main = new ObjectMapper().readTree(volume.resolve("snapshots.json").toFile()).path("clusters")
          .path("main");
      double takenAt = Instant.parse(main.path("takenAt").asText()).toEpochMilli() / 1000.0;
      long size = Files.size(volume.resolve("snapshot.db"));
      List<Sample> pushed = Sample.parse(gateway.metrics());
      assertThat(Sample.value(pushed, "etcd_snapshotter_snapshot_revision", MAIN))
          .isEqualTo(main.path("revision").asLong()).isEqualTo(cluster.etcdctl().revision());
      assertThat(Sample.value(pushed, "etcd_snapshotter_snapshot_size_bytes", MAIN)).isEqualTo(size);
      assertThat(Sample.value(pushed, "etcd_snapshotter_snapshot_db_size_bytes", MAIN))
          .isEqualTo(main.path("totalSize").asLong());
      assertThat(Sample.value(pushed, "etcd_snapshotter_last_success_timestamp_seconds", MAIN)).isEqualTo(takenAt);
      assertThat(Sample.value(pushed, "etcd_snapshotter_last_attempt_success", MAIN)).isEqualTo(1);
      assertThat(Sample.value(pushed, "etcd_snapshotter_drill_success", MAIN)).isEqualTo(1);
      assertThat(Sample.value(pushed, "etcd_snapshotter_drill_revision", MAIN))
          .isEqualTo(main.path("drill").path("revision").asLong()).isEqualTo(main.path("revision").asLong());
      assertThat(Sample.value(pushed, "etcd_snapshotter_drill_duration_seconds", MAIN))
          .isEqualTo(main.path("drill").path("seconds").asDouble());
      assertThat(Sample.value(pushed, "etcd_snapshotter_volume_size_bytes", RUN))
          .isEqualTo(Files.getFileStore(volume).getTotalSpace());

      // The textfile says the same, and promtool, Prometheus's own linter, accepts it.
      List<Sample> written = Sample.parse(Files.readString(textfile));
      assertThat(Sample.value(written, "etcd_snapshotter_snapshot_revision", Map.of("cluster", "main")))
          .isEqualTo(main.path("revision").asLong());
      assertThat(Sample.value(written, "etcd_snapshotter_snapshot_size_bytes", Map.of("cluster", "main")))
          .isEqualTo(size);
      ProcessResult lint = PrometheusTools.checkMetrics(textfile);
      assertThat(lint.exitCode()).as(lint.toString()).isZero();

      // A failed run replaces its group too, yet the newest good snapshot's figures come from snapshots.json.
      int nobody = FreePorts.one();
      ProcessResult failed = Jar.run("snapshot", "--dir", volume.toString(), "--cluster",
          "main=http://127.0.0.1:" + nobody, "--dial-timeout", "1s", "--cluster-name", "prod-eu", "--pushgateway",
          gateway.url().toString());
      assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
      List<Sample> afterFailure = Sample.parse(gateway.metrics());
      assertThat(Sample.value(afterFailure, "etcd_snapshotter_last_attempt_success", MAIN)).isZero();
      assertThat(Sample.value(afterFailure, "etcd_snapshotter_last_attempt_timestamp_seconds", MAIN))
          .isGreaterThan(takenAt);
      assertThat(Sample.value(afterFailure, "etcd_snapshotter_last_success_timestamp_seconds", MAIN))
          .isEqualTo(takenAt);
      assertThat(Sample.value(afterFailure, "etcd_snapshotter_snapshot_revision", MAIN))
          .isEqualTo(main.path("revision").asLong());

      // Without a Pushgateway the snapshot still counts: a warning, exit 0.
      gateway.close();
      ProcessResult unpushed = Jar.run("snapshot", "--dir", volume.toString(), "--cluster",
          "main=" + cluster.endpoints(), "--pushgateway", gateway.url().toString());
      assertThat(unpushed.exitCode()).as(unpushed.toString()).isZero();
      assertThat(unpushed.stderr()).contains("WARN  could not push metrics to " + gateway.url());
    }
  }
}
