package io.etcdsnapshotter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.etcdsnapshotter.config.MetricsConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsExportTest {
  static final RunFigures RUN = new RunFigures("prod-eu", List.of(SnapshotMetricsTest.MAIN_FAILED,
      SnapshotMetricsTest.EVENTS_NEVER_SAVED), 1000, 4096, true);
  @TempDir Path tmp;
  private HttpServer server;
  /** Each PUT's path and body, as the fake Pushgateway received them. */
  private final Map<String, String> puts = new ConcurrentHashMap<>();

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void theTextfileIsReplacedWholeAndReadableByTheNodeExporter() throws IOException {
    Path file = tmp.resolve("etcd-snapshotter.prom");
    Files.writeString(file, "old contents\n");
    MetricsExport.export(new MetricsConfig(null, file), RUN);
    String text = Files.readString(file);
    assertThat(Samples.parse(text)).containsEntry("etcd_snapshotter_ebs_snapshot_success{cluster_name=\"prod-eu\"}",
        1.0);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
    try (var files = Files.list(tmp)) {
      assertThat(files).containsExactly(file); // no part file left beside it
    }
  }

  @Test
  void pushesOneGroupPerEtcdClusterAndOneForTheRun() throws IOException {
    startPushgateway(200);
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/gateway/");
    MetricsExport.export(new MetricsConfig(base, null), RUN);
    String group = "/gateway/metrics/job/etcd-snapshotter/cluster_name/prod-eu";
    assertThat(puts).containsOnlyKeys(group + "/cluster/main", group + "/cluster/events", group);
    assertThat(Samples.parse(puts.get(group + "/cluster/main")).keySet())
        .allMatch(name -> name.contains("cluster=\"main\""))
        .contains("etcd_snapshotter_last_success_timestamp_seconds{cluster=\"main\",cluster_name=\"prod-eu\"}");
    assertThat(Samples.parse(puts.get(group))).containsOnlyKeys(
        "etcd_snapshotter_volume_available_bytes{cluster_name=\"prod-eu\"}",
        "etcd_snapshotter_volume_size_bytes{cluster_name=\"prod-eu\"}",
        "etcd_snapshotter_ebs_snapshot_success{cluster_name=\"prod-eu\"}");
  }

  @Test
  void journalsReportBesideTheSnapshotRunsWithoutReplacingThem() throws IOException {
    startPushgateway(200);
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    Path file = tmp.resolve("etcd-snapshotter.prom");
    MetricsConfig config = new MetricsConfig(base, file);
    MetricsExport.export(config, RUN);
    MetricsExport.exportJournals(config, "prod-eu", List.of(
        new JournalFigures("main", 1234, java.time.Instant.ofEpochSecond(1_800_000_000)),
        new JournalFigures("events", 55, null)));
    assertThat(Samples.parse(Files.readString(file))).containsKey(
        "etcd_snapshotter_ebs_snapshot_success{cluster_name=\"prod-eu\"}");
    assertThat(Samples.parse(Files.readString(tmp.resolve("etcd-snapshotter-journal.prom")))).containsOnly(
        Map.entry("etcd_snapshotter_journal_revision{cluster=\"main\",cluster_name=\"prod-eu\"}", 1234.0),
        Map.entry("etcd_snapshotter_journal_revision{cluster=\"events\",cluster_name=\"prod-eu\"}", 55.0),
        Map.entry("etcd_snapshotter_journal_sync_timestamp_seconds{cluster=\"main\",cluster_name=\"prod-eu\"}",
            1.8e9));
    String group = "/metrics/job/etcd-snapshotter-journal/cluster_name/prod-eu/cluster/";
    assertThat(puts).containsKeys(group + "main", group + "events",
        "/metrics/job/etcd-snapshotter/cluster_name/prod-eu/cluster/main");
    assertThat(Samples.parse(puts.get(group + "events"))).containsOnlyKeys(
        "etcd_snapshotter_journal_revision{cluster=\"events\",cluster_name=\"prod-eu\"}");
  }

  @Test
  void aFailedPushOrTextfileIsOnlyAWarning() throws IOException {
    startPushgateway(500);
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    Path file = tmp.resolve("etcd-snapshotter.prom");
    MetricsExport.export(new MetricsConfig(base, file), RUN);
    assertThat(file).exists(); // the textfile does not depend on the push
    MetricsExport.export(new MetricsConfig(base, tmp.resolve("missing-dir/etcd-snapshotter.prom")), RUN);
  }

  private void startPushgateway(int status) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      if (exchange.getRequestMethod().equals("PUT")) {
        puts.put(exchange.getRequestURI().getPath(),
            new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
  }
}
