package io.etcdsnapshotter.e2e.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node exporter's textfile while the journal takes a full snapshot of one cluster only (a gap etcd's compaction
 * made): the file is rewritten whole, and must still hold every cluster's series, or a failing cluster's alert
 * would resolve and its figures vanish until the next full run.
 */
class JournalTextfileTest {
  private static final EtcdVersion VERSION = EtcdVersion.V3_6;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  @Test
  void aSnapshotTheJournalTakesForAGapInOneClusterKeepsEveryClustersSeriesInTheTextfile() throws Exception {
    VERSION.assumeInstalled();
    Path volume = tmp.resolve("volume");
    Path textfile = tmp.resolve("etcd-snapshotter.prom");
    Path config = Files.writeString(tmp.resolve("config.yaml"), "metrics:\n  textfile: " + textfile + "\n");
    try (EtcdCluster main = EtcdCluster.start(VERSION, 1, Security.PLAIN);
        EtcdCluster events = EtcdCluster.start(VERSION, 1, Security.PLAIN);
        Client client = main.client()) {
      String[] clusters = {"--cluster", "main=" + main.endpoints(), "--cluster", "events=" + events.endpoints()};
      main.etcdctl().ok("put", "/registry/pods/default/one", "value");
      events.etcdctl().ok("put", "/registry/events/default/one", "value");
      ProcessResult saved = Jar.run(with(clusters, "snapshot", "--dir", volume.toString(), "--config",
          config.toString()));
      assertThat(saved.exitCode()).as(saved.toString()).isZero();
      long first = main.etcdctl().revision();
      long eventsRevision = events.etcdctl().revision();
      for (int i = 0; i < 5; i++) {
        main.etcdctl().ok("put", "/b", "v" + i);
      }
      long compacted = main.etcdctl().revision();
      client.getKVClient().compact(compacted).get(60, TimeUnit.SECONDS);

      try (RunningProcess journal = Jar.start(with(clusters, "journal", "--dir", volume.toString(), "--config",
          config.toString()))) {
        Polling.await("the gap's full snapshot of main in the textfile", WAIT,
            () -> revision(textfile, "main") >= compacted, journal::stderr);
        assertThat(journal.stderr()).contains("cluster main: etcd has compacted revision " + (first + 1));
        List<Sample> written = Sample.parse(Files.readString(textfile));
        Map<String, String> eventsCluster = Map.of("cluster", "events");
        assertThat(Sample.value(written, "etcd_snapshotter_snapshot_revision", eventsCluster))
            .isEqualTo(eventsRevision);
        assertThat(Sample.value(written, "etcd_snapshotter_last_attempt_success", eventsCluster)).isEqualTo(1);
        assertThat(Sample.value(written, "etcd_snapshotter_last_attempt_success", Map.of("cluster", "main")))
            .isEqualTo(1);
        journal.stop(WAIT);
        ProcessResult stopped = journal.await(WAIT);
        assertThat(stopped.exitCode()).as(stopped.toString()).isZero();
      }
    }
  }

  private static String[] with(String[] clusters, String... args) {
    return Stream.concat(Arrays.stream(args), Arrays.stream(clusters)).toArray(String[]::new);
  }

  /** The main or events snapshot's revision in the textfile, 0 while it has none. */
  private static double revision(Path textfile, String cluster) {
    try {
      List<Sample> samples = Sample.parse(Files.readString(textfile));
      return samples.stream().filter(s -> s.name().equals("etcd_snapshotter_snapshot_revision")
          && cluster.equals(s.labels().get("cluster"))).mapToDouble(Sample::value).findFirst().orElse(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
