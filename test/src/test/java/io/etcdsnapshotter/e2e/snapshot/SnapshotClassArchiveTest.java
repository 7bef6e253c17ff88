package io.etcdsnapshotter.e2e.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.Repository;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.etcd.SnapshotTool;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.Processes;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's start-up: {@code scripts/class-archive} as the Dockerfile runs it, then a snapshot with the CronJob's
 * JVM options. {@code -Xshare:on} makes the JVM refuse to start unless it maps the archive.
 */
class SnapshotClassArchiveTest {
  @Test
  void aSnapshotRunStartsFromTheArchiveTheImageBuilds(@TempDir Path tmp) throws IOException {
    Path archive = tmp.resolve("etcd-snapshotter.jsa");
    List<String> build = List.of("sh", Repository.root().resolve("scripts/class-archive").toString(),
        Jar.path().toString(), archive.toString());
    try (RunningProcess script = Processes.start(build, Map.of("JAVA", Jar.javaBinary()))) {
      ProcessResult built = script.await(Jar.TIMEOUT);
      assertThat(built.exitCode()).as(built.toString()).isZero();
    }

    try (EtcdCluster cluster = EtcdCluster.start(EtcdVersion.V3_5, 1, Security.PLAIN)) {
      cluster.etcdctl().ok("put", "/registry/secrets/default/one", "value");
      Path classes = tmp.resolve("classes.log");
      ProcessResult run = Jar.runWithJvmOptions(
          List.of("-XX:+UseSerialGC", "-Xmx128m", "-Xshare:on", "-XX:SharedArchiveFile=" + archive,
              "-Xlog:class+load=info:file=" + classes),
          "snapshot", "--dir", tmp.resolve("volume").toString(), "--cluster", "main=" + cluster.endpoints());

      assertThat(run.exitCode()).as(run.toString()).isZero();
      Path snapshot = tmp.resolve("volume/snapshot.db");
      assertThat(new SnapshotTool(EtcdVersion.V3_5).statusJson(snapshot).path("revision").asLong())
          .isEqualTo(cluster.etcdctl().revision());
      // The archive holds the path to the first byte of the stream, not just the JDK's own classes.
      assertThat(Files.readAllLines(classes))
          .anyMatch(line -> line.contains(" io.etcdsnapshotter.etcd.EtcdChannel source: shared objects file"))
          .anyMatch(line -> line.contains(".netty.channel.epoll.EpollSocketChannel source: shared objects file"));
    }
  }
}
