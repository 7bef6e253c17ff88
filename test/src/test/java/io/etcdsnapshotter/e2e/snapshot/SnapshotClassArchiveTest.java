package io.etcdsnapshotter.e2e.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.aws.MotoServer;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's start-up: {@code scripts/class-archive} as the Dockerfile runs it, then snapshots with the CronJob's
 * JVM options, plain and encrypted (moto's KMS). {@code -Xshare:on} makes the JVM refuse to start unless it maps
 * the archive.
 */
class SnapshotClassArchiveTest {
  @TempDir Path tmp;

  @Test
  void snapshotRunsStartFromTheArchiveTheImageBuilds() throws IOException {
    Path archive = tmp.resolve("etcd-snapshotter.jsa");
    List<String> build = List.of("sh", Repository.root().resolve("scripts/class-archive").toString(),
        Jar.path().toString(), archive.toString());
    try (RunningProcess script = Processes.start(build, Map.of("JAVA", Jar.javaBinary()))) {
      ProcessResult built = script.await(Jar.TIMEOUT);
      assertThat(built.exitCode()).as(built.toString()).isZero();
    }

    try (EtcdCluster cluster = EtcdCluster.start(EtcdVersion.V3_5, 1, Security.PLAIN);
        MotoServer moto = MotoServer.start()) {
      cluster.etcdctl().ok("put", "/registry/secrets/default/one", "value");
      List<String> plain = snapshot(archive, "plain", List.of(), "--cluster", "main=" + cluster.endpoints());
      Path snapshot = tmp.resolve("plain/snapshot.db");
      assertThat(new SnapshotTool(EtcdVersion.V3_5).statusJson(snapshot).path("revision").asLong())
          .isEqualTo(cluster.etcdctl().revision());
      // The archive holds the path to the first byte of the stream, not just the JDK's own classes.
      assertThat(plain)
          .anyMatch(line -> line.contains(" io.etcdsnapshotter.etcd.EtcdChannel source: shared objects file"))
          .anyMatch(line -> line.contains(".netty.channel.epoll.EpollSocketChannel source: shared objects file"));

      Path config = Files.writeString(tmp.resolve("encrypted.yaml"), "encryption:\n  kmsKeyId: " + moto.newKmsKey()
          + "\n  endpoint: " + moto.endpoint() + "\n");
      List<String> encrypted = snapshot(archive, "encrypted", List.of("-Daws.accessKeyId=testing",
          "-Daws.secretAccessKey=testing", "-Daws.region=" + MotoServer.REGION), "--cluster",
          "main=" + cluster.endpoints(), "--config", config.toString());
      // ... and the KMS client an encrypted run starts, signing included: the SDK loads that only with credentials.
      assertThat(encrypted)
          .anyMatch(line -> line.contains(".services.kms.DefaultKmsClient source: shared objects file"))
          .anyMatch(line -> line.contains(".auth.signer.AwsSignerExecutionAttribute source: shared objects file"));
    }
  }

  /** Takes a snapshot into {@code tmp/dir} from the archive, checks it succeeded, and returns the class log. */
  private List<String> snapshot(Path archive, String dir, List<String> jvmOptions, String... args)
      throws IOException {
    Path classes = tmp.resolve(dir + "-classes.log");
    List<String> options = new ArrayList<>(List.of("-XX:+UseSerialGC", "-Xmx128m", "-Xshare:on",
        "-XX:SharedArchiveFile=" + archive, "-Xlog:class+load=info:file=" + classes));
    options.addAll(jvmOptions);
    List<String> command = new ArrayList<>(List.of("snapshot", "--dir", tmp.resolve(dir).toString()));
    command.addAll(List.of(args));
    ProcessResult run = Jar.runWithJvmOptions(options, command.toArray(String[]::new));
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return Files.readAllLines(classes);
  }
}
