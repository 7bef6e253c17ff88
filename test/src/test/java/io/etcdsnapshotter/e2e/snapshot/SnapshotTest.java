package io.etcdsnapshotter.e2e.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdsnapshotter.e2e.etcd.DataSeeder;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Json;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.etcd.SnapshotTool;
import io.etcdsnapshotter.e2e.fs.Sha256Sum;
import io.etcdsnapshotter.e2e.fs.TempDirectory;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.restore.RestoredCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The main job: one run saves the main and the events cluster, each holding thousands of keys, leases, deleted
 * and overwritten keys and a compaction. etcd's own tools are the judges of the files. The clusters and the run
 * are shared by the tests of one etcd release: each test checks one promise about that run.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(EtcdVersion.class)
class SnapshotTest {
  private static EtcdCluster main;
  private static EtcdCluster events;
  private static TempDirectory work;
  private static Path volume;
  private static ProcessResult run;
  private static Map<String, DataSeeder.Seeded> seeded;

  @Parameter EtcdVersion version;

  @BeforeParameterizedClassInvocation
  static void snapshotBothClusters(EtcdVersion version) {
    main = EtcdCluster.start(version, 1, Security.PLAIN);
    events = EtcdCluster.start(version, 1, Security.PLAIN);
    seeded = Map.of(
        "main", DataSeeder.seed(main, "registry", 3_000),
        "events", DataSeeder.seed(events, "events", 1_500));
    work = TempDirectory.create("e2e-snapshot-");
    volume = work.resolve("volume"); // not there yet: the tool creates it
    run = SnapshotRun.into(volume).cluster("main", main).cluster("events", events).run();
  }

  @AfterParameterizedClassInvocation
  static void stopClusters() {
    try (EtcdCluster first = main; EtcdCluster second = events; TempDirectory volumes = work) {
      // closes all three, even when one fails to close
    }
  }

  @Test
  void savesEveryClusterUnderItsFileName() {
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(Jar.messages(run)).as(run.toString()).isEmpty();
    assertThat(volume.resolve("snapshot.db")).isNotEmptyFile();
    assertThat(volume.resolve("snapshot-events.db")).isNotEmptyFile();
  }

  @Test
  void etcdReadsTheFilesAsItsOwnSnapshots(@TempDir Path tmp) {
    SnapshotTool etcd = new SnapshotTool(version);
    Path etcdctlSnapshot = tmp.resolve("etcdctl.db");
    main.etcdctl().saveSnapshot(etcdctlSnapshot);

    JsonNode ours = etcd.statusJson(volume.resolve("snapshot.db"));
    JsonNode theirs = etcd.statusJson(etcdctlSnapshot);
    for (String field : new String[] {"hash", "revision", "totalKey"}) {
      assertThat(ours.get(field)).as(field).isEqualTo(theirs.get(field));
    }
    assertThat(etcd.statusJson(volume.resolve("snapshot-events.db")).path("revision").asLong())
        .isEqualTo(seeded.get("events").revision());
  }

  @Test
  void etcdRestoresTheFiles(@TempDir Path tmp) {
    SnapshotTool etcd = new SnapshotTool(version);
    for (String file : new String[] {"snapshot.db", "snapshot-events.db"}) {
      Path dataDir = tmp.resolve(file + ".restored");
      ProcessResult restore = etcd.restore(volume.resolve(file), dataDir);
      assertThat(restore.exitCode()).as(restore.toString()).isZero();
      assertThat(dataDir.resolve("member/snap/db")).isNotEmptyFile();
    }
  }

  @Test
  void statusPrintsWhatEtcdPrints() {
    SnapshotTool etcd = new SnapshotTool(version);
    for (String file : new String[] {"snapshot.db", "snapshot-events.db"}) {
      Path snapshot = volume.resolve(file);
      ProcessResult status = Jar.run("status", snapshot.toString(), "-w", "json");
      assertThat(status.exitCode()).as(status.toString()).isZero();
      assertThat(Json.parse(status.stdout())).as(file).isEqualTo(etcd.statusJson(snapshot));
    }
  }

  @Test
  void verifyChecksBothFilesAndATrialRestorePasses() {
    for (String file : new String[] {"snapshot.db", "snapshot-events.db"}) {
      ProcessResult verify = Jar.run("verify", volume.resolve(file).toString(), "--restore");
      assertThat(verify.exitCode()).as(verify.toString()).isZero();
      assertThat(verify.stdout()).contains(file + ": OK", "sha256    ok", "restore   member");
    }
  }

  @Test
  void indexRecordsWhatEachFileHolds() {
    SnapshotTool etcd = new SnapshotTool(version);
    for (var cluster : Map.of("main", main, "events", events).entrySet()) {
      String name = cluster.getKey();
      String file = name.equals("main") ? "snapshot.db" : "snapshot-events.db";
      JsonNode entry = Volume.entry(volume, name);
      JsonNode oracle = etcd.statusJson(volume.resolve(file));

      assertThat(entry.path("file").asText()).isEqualTo(file);
      for (String field : new String[] {"revision", "hash", "totalKey", "totalSize"}) {
        assertThat(entry.path(field).asText()).as(name + " " + field).isEqualTo(oracle.path(field).asText());
      }
      assertThat(entry.path("storageVersion").asText("")).as(name + " storage version")
          .isEqualTo(oracle.path("version").asText(""));
      assertThat(entry.path("revision").asLong()).isEqualTo(seeded.get(name).revision());
      assertThat(entry.path("sha256").asText()).matches("[0-9a-f]{64}");
      assertThat(entry.path("etcdVersion").asText()).startsWith(version.release() + ".");
      assertThat(entry.path("member").asText()).isEqualTo(cluster.getValue().etcdctl().memberIdHex());
      assertThat(entry.path("clusterId").asText()).isEqualTo(cluster.getValue().etcdctl().clusterIdHex());
      assertThat(Instant.parse(entry.path("takenAt").asText())).isBefore(Instant.now());
      assertThat(entry.path("durationMillis").asLong(-1)).isNotNegative();
    }
  }

  @Test
  void aSnapshotOfAnotherEtcdClusterIsRefusedUnlessTheChangeIsAllowed(@TempDir Path tmp) {
    Path dir = tmp.resolve("volume");
    ProcessResult first = SnapshotRun.into(dir).cluster("main", main).run();
    assertThat(first.exitCode()).as(first.toString()).isZero();
    Map<String, String> before = Volume.fingerprint(dir);

    ProcessResult other = SnapshotRun.into(dir).cluster("main", events).run();

    assertThat(other.exitCode()).as(other.toString()).isEqualTo(1);
    assertThat(Jar.messages(other)).as(other.toString()).singleElement().satisfies(line -> assertThat(line)
        .contains("main", "cluster ID", events.etcdctl().clusterIdHex(), main.etcdctl().clusterIdHex(),
            "--allow-cluster-change"));
    assertThat(Volume.fingerprint(dir)).as("the previous snapshot is kept").isEqualTo(before);
    JsonNode refused = Volume.entry(dir, "main");
    assertThat(refused.path("clusterId").asText()).isEqualTo(main.etcdctl().clusterIdHex());
    assertThat(refused.path("lastFailure").path("message").asText()).contains("cluster ID");

    ProcessResult allowed = SnapshotRun.into(dir).cluster("main", events).with("--allow-cluster-change").run();

    assertThat(allowed.exitCode()).as(allowed.toString()).isZero();
    assertThat(Volume.entry(dir, "main").path("clusterId").asText()).isEqualTo(events.etcdctl().clusterIdHex());
    assertThat(Volume.entry(dir, "main").has("lastFailure")).isFalse();
  }

  /**
   * After a restore by kubernetes.etcd.restored (token {@code <token>-restored-<12 hex of the file's sha256>}) from
   * this volume's snapshot, the new etcd cluster is recognised by its ID alone and the snapshots go on with it, the
   * old cluster's kept as a generation; a token base other than the cluster's gives another ID and is refused.
   */
  @Test
  void aClusterRestoredFromThisVolumesSnapshotByTheSaltStateIsContinuedWithoutAllowingTheChange(@TempDir Path tmp)
      throws IOException {
    Path dir = tmp.resolve("volume");
    ProcessResult first = SnapshotRun.into(dir).cluster("main", main).run();
    assertThat(first.exitCode()).as(first.toString()).isZero();
    String sha256 = Sha256Sum.of(dir.resolve("snapshot.db"));
    List<RestoredCluster.Node> nodes = RestoredCluster.plan(Files.createDirectory(tmp.resolve("restored")), 1);
    RestoredCluster.Node node = nodes.get(0);
    String initialCluster = RestoredCluster.initialCluster(nodes);
    RestoredCluster.restoreAsSaltDoes(dir.resolve("snapshot.db"), "etcd-main", node);

    try (RestoredCluster restored = RestoredCluster.start(version, nodes, tmp)) {
      String restoredId = restored.etcdctl(node).clusterIdHex();
      ProcessResult refused = SnapshotRun.into(dir).with("--config",
          restoredBy(tmp, node, "etcd-other", initialCluster).toString()).run();
      assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
      assertThat(Jar.messages(refused)).singleElement().asString().contains("cluster ID is " + restoredId)
          .contains("restoredBy recognises a restore by kubernetes.etcd.restored from a snapshot on this volume only");

      ProcessResult continued = SnapshotRun.into(dir).with("--config",
          restoredBy(tmp, node, "etcd-main", initialCluster).toString(), "--keep", "2").run();
      assertThat(continued.exitCode()).as(continued.toString()).isZero();
      assertThat(continued.stderr()).contains("etcd cluster " + restoredId + " is what kubernetes.etcd.restored"
          + " bootstraps from " + dir.resolve("snapshot.db"));
      assertThat(Volume.entry(dir, "main").path("clusterId").asText()).isEqualTo(restoredId);
      try (Stream<Path> kept = Files.list(dir.resolve("generations"))) {
        Path generation = kept.filter(p -> p.toString().endsWith(".db")).findFirst().orElseThrow();
        assertThat(Sha256Sum.of(generation)).as("the old cluster's snapshot, kept").isEqualTo(sha256);
        assertThat(Files.readString(generation.resolveSibling(generation.getFileName() + ".cluster-id")))
            .isEqualTo(main.etcdctl().clusterIdHex() + "\n");
      }
    }
  }

  private static Path restoredBy(Path tmp, RestoredCluster.Node node, String token, String initialCluster)
      throws IOException {
    return Files.writeString(tmp.resolve(token + ".yaml"), "clusters:\n  main:\n    endpoints: [" + node.clientUrl()
        + "]\n    restoredBy:\n      token: " + token + "\n      initialCluster: " + initialCluster + "\n");
  }

  @Test
  void onlyTheOwnerCanReadTheSnapshots() {
    assertThat(Volume.mode(volume)).isEqualTo("rwx------");
    assertThat(Volume.mode(volume.resolve("snapshot.db"))).isEqualTo("rw-------");
    assertThat(Volume.mode(volume.resolve("snapshot-events.db"))).isEqualTo("rw-------");
  }

  @Test
  void configFileNamesTheClustersAndFlagsOverrideIt(@TempDir Path tmp) throws IOException {
    Path config = Files.writeString(tmp.resolve("snapshotter.yaml"), String.join("\n",
        "dir: " + tmp.resolve("from-file"),
        "keep: 0",
        "dialTimeout: 5s",
        "commandTimeout: 2m",
        "clusters:",
        "  main:",
        "    endpoints: [" + main.endpoints() + "]",
        "  events:",
        "    endpoints:",
        "      - " + events.endpoints(),
        ""));
    Path flagDir = tmp.resolve("from-flag");

    ProcessResult result = Jar.run("snapshot", "--config", config.toString(), "--dir", flagDir.toString());

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(flagDir.resolve("snapshot.db")).isNotEmptyFile();
    assertThat(flagDir.resolve("snapshot-events.db")).isNotEmptyFile();
    assertThat(tmp.resolve("from-file")).doesNotExist();
  }
}
