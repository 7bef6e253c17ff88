package io.etcdsnapshotter.e2e.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdsnapshotter.e2e.etcd.DataSeeder;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Json;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.etcd.SnapshotTool;
import io.etcdsnapshotter.e2e.fs.SmallFileSystem;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code snapshot --drill}: each new file is restored natively into a scratch dir, checked and deleted, and the run
 * says how that went in snapshots.json and its output. The drill dir is empty again after every run, whatever the
 * drill's result.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(value = EtcdVersion.class, names = {"V3_5", "V3_6"})
class SnapshotDrillTest {
  private static EtcdCluster cluster;

  @Parameter EtcdVersion version;
  @TempDir Path tmp;

  @BeforeParameterizedClassInvocation
  static void startCluster(EtcdVersion version) {
    cluster = EtcdCluster.start(version, 1, Security.PLAIN);
    DataSeeder.seed(cluster, "registry", 2_000);
  }

  @AfterParameterizedClassInvocation
  static void stopCluster() {
    cluster.close();
  }

  @Test
  void aDrilledSnapshotRecordsOkWithTheRevisionItRestored() throws IOException {
    Path scratch = Files.createDirectory(tmp.resolve("scratch"));
    long revision = cluster.etcdctl().revision();

    ProcessResult run = drill(scratch).run();

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.stdout()).as(run.toString()).containsPattern("cluster main \\(.*\\): saved snapshot.db at revision "
        + revision + "; restore drill ok: revision " + revision + " restored and checked in \\d+\\.\\d s");
    JsonNode drill = Volume.entry(volume(), "main").path("drill");
    assertThat(drill.path("result").asText()).isEqualTo("ok");
    assertThat(drill.path("revision").asLong()).isEqualTo(revision);
    assertThat(drill.path("seconds").isNumber()).as(drill.toString()).isTrue();
    assertThat(drill.has("reason")).isFalse();
    assertThat(entries(scratch)).as("the scratch dir is deleted").isEmpty();
  }

  /**
   * A real restore failure: the kernel refuses files over 32 MiB (ulimit -f), so the few-MiB snapshot streams and
   * commits, but the restore's first WAL segment (64 MB, as etcd writes it) fails to be written, as it would on a
   * scratch file system that fills up under the restore.
   */
  @Test
  void aFailedDrillFailsTheRunInOneLineAndKeepsTheNewFile() throws IOException {
    Path scratch = Files.createDirectory(tmp.resolve("scratch"));
    long revision = cluster.etcdctl().revision();

    ProcessResult run = Jar.runWithFileSizeLimit(32 * 1024, drill(scratch).args());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(Jar.messages(run)).as(run.toString()).singleElement().satisfies(line -> assertThat(line)
        .startsWith("etcd-snapshotter snapshot: cluster main (")
        .contains("saved snapshot.db at revision " + revision + " but its restore drill failed:", "File too large",
            "snapshot.db is kept: it is still the newest data"));
    assertThat(new SnapshotTool(version).statusJson(volume().resolve("snapshot.db")).path("revision").asLong())
        .as("the new file is kept").isEqualTo(revision);
    JsonNode entry = Volume.entry(volume(), "main");
    assertThat(entry.path("revision").asLong()).isEqualTo(revision);
    assertThat(entry.path("drill").path("result").asText()).isEqualTo("failed");
    assertThat(entry.path("drill").path("reason").asText()).contains("File too large");
    assertThat(entry.has("lastFailure")).as("the snapshot itself succeeded").isFalse();
    assertThat(entries(scratch)).as("the scratch dir is deleted").isEmpty();
    assertThat(Jar.hasStackTrace(run)).as(run.toString()).isFalse();
  }

  @Test
  void aScratchDirTooSmallForTheRestoreSkipsTheDrillWithAWarning() throws IOException {
    try (SmallFileSystem small = SmallFileSystem.mount(tmp.resolve("small"), "1m")) {
      Path scratch = small.path();

      ProcessResult run = drill(scratch).run();

      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.stderrLines()).as(run.toString()).anySatisfy(line -> assertThat(line)
          .contains("WARN", "cluster main: restore drill skipped: restoring snapshot.db needs",
              "but " + scratch + " has", "give the drill more room"));
      JsonNode drill = Volume.entry(volume(), "main").path("drill");
      assertThat(drill.path("result").asText()).isEqualTo("skipped");
      assertThat(drill.path("reason").asText()).contains("needs", "free");
      assertThat(entries(scratch)).as("nothing is left in the scratch dir").isEmpty();
    }
  }

  @Test
  void jsonLogsCarryTheDrillAndTheClusterAsFields() throws IOException {
    Path scratch = Files.createDirectory(tmp.resolve("scratch"));

    ProcessResult run = drill(scratch).with("--log-format", "json").run();

    assertThat(run.exitCode()).as(run.toString()).isZero();
    List<JsonNode> lines = run.stderrLines().stream().map(Json::parse).toList();
    assertThat(lines).as(run.toString()).isNotEmpty().allSatisfy(line -> assertThat(line.fieldNames())
        .toIterable().contains("timestamp", "level", "loggerName", "formattedMessage"));
    assertThat(lines).anySatisfy(line -> {
      assertThat(line.path("mdc").path("cluster").asText()).isEqualTo("main");
      assertThat(line.path("formattedMessage").asText()).startsWith("cluster main: restore drill ok: revision ");
      assertThat(line.path("kvpList").toString()).contains("{\"drill\":\"ok\"}");
    });
  }

  private SnapshotRun drill(Path scratch) {
    return SnapshotRun.into(volume()).cluster("main", cluster).with("--drill", "--drill-dir", scratch.toString());
  }

  private Path volume() {
    return tmp.resolve("volume");
  }

  private static List<Path> entries(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.toList();
    }
  }
}
