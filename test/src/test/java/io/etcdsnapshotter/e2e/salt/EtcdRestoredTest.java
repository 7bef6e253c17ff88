package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.Repository;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.fs.Sha256Sum;
import io.etcdsnapshotter.testing.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kubernetes.etcd.restored refuses to start a restore it cannot finish: a missing or bad snapshot file fails the state
 * before any etcd is stopped or any data dir moved.
 */
class EtcdRestoredTest {
  private static final String SLS = "kubernetes.etcd.restored";

  @TempDir Path root;

  private SaltCall salt;
  private String pillar;
  private int mainClientPort;

  @BeforeAll
  static void saltInstalled() {
    SaltCall.saltCallPath();
  }

  @BeforeEach
  void masterWithEtcdConfigured() throws Exception {
    mainClientPort = FreePorts.one();
    pillar = StaticPod.singleMasterPillar(mainClientPort, FreePorts.one());
    salt = new SaltCall(root, "master-1");
    StateRun configured = salt.apply("kubernetes.etcd.configured", pillar);
    assertThat(configured.succeeded()).as("%s", configured).isTrue();
    Files.createDirectories(salt.path("mnt/etcd"));
  }

  @Test
  void missingSnapshotFailsNamingItAndStopsNothing() throws Exception {
    Files.write(salt.path("mnt/etcd/snapshot.db"), randomBytes());

    StateRun run = salt.apply(SLS, pillar);

    assertThat(run.exitCode()).as("%s", run).isNotZero();
    assertThat(run.failures()).as("%s", run).singleElement().asString()
        .contains("no snapshot file " + salt.path("mnt/etcd/snapshot-events.db"))
        .contains("nothing was stopped");
    assertNothingStoppedOrMoved(run);
  }

  @Test
  void badSnapshotFailsItsVerifyWhileEtcdKeepsRunning() throws Exception {
    // etcd 3.6, which etcd:image defaults to.
    EtcdVersion.V3_6.assumeInstalled();
    try (StaticPod etcd = StaticPod.start(salt.path("etc/kubernetes/manifests/etcd.manifest"), EtcdVersion.V3_6,
        root.resolve("etcd.log"))) {
      etcd.awaitHealthy(mainClientPort);
      etcd.etcdctl(mainClientPort).ok("put", "/registry/answer", "42");
      etcd.etcdctl(mainClientPort).saveSnapshot(salt.path("mnt/etcd/snapshot.db"));
      Files.write(salt.path("mnt/etcd/snapshot-events.db"), randomBytes());

      StateRun run = salt.apply(SLS, pillar);

      RestoreRefused.byTheEventsVerify(run);
      assertNothingStoppedOrMoved(run);
      etcd.awaitHealthy(mainClientPort);
    }
  }

  /** etcd:image defaults to etcd 3.6, which refuses 3.7 storage at start: the verify says so before any stop. */
  @Test
  void snapshotOfANewerEtcdThanTheImageFailsItsVerifyBeforeStoppingAnything() throws Exception {
    Path etcd37 = Repository.root().resolve("snapshotter/src/test/resources/snapshots/etcd-3.7.db");
    Files.copy(etcd37, salt.path("mnt/etcd/snapshot.db"));
    Files.copy(etcd37, salt.path("mnt/etcd/snapshot-events.db"));

    StateRun run = salt.apply(SLS, pillar);

    assertThat(run.exitCode()).as("%s", run).isNotZero();
    assertThat(run.states()).as("%s", run)
        .filteredOn(state -> state.id().endsWith("-verify")).hasSize(2)
        .allSatisfy(verify -> assertThat(String.valueOf(verify.changes().get("stderr")))
            .contains("storage version is 3.7.0 and etcd 3.6.16 refuses"));
    assertNothingStoppedOrMoved(run);
  }

  @Test
  void pillarWhoseImageNamesNoReleaseFailsBeforeStoppingAnything() throws Exception {
    assertPillarRefusedBeforeStopping("""
          image: registry.example/etcd:latest
        """, "the tag of etcd:image \"registry.example/etcd:latest\" names no etcd release");
  }

  @Test
  void pillarListingThisMasterAtAnotherAddressFailsBeforeStoppingAnything() throws Exception {
    assertPillarRefusedBeforeStopping("""
          members:
            - {name: master-1, address: 127.0.0.9}
        """, "etcd:members lists master-1 at 127.0.0.9 but etcd:advertise_address is 127.0.0.1");
  }

  @Test
  void releaseIsForTheSnapshotVolumeStateAndFailsTheRestoreBeforeStoppingAnything() throws Exception {
    assertPillarRefusedBeforeStopping("""
        etcd_restore:
          ebs_snapshot: release
        """, "etcd_restore:ebs_snapshot is release, which only kubernetes.etcd.snapshot-volume takes");
  }

  /** With {@code morePillar} added, the apply fails with one failure naming {@code reason}, having stopped nothing. */
  private void assertPillarRefusedBeforeStopping(String morePillar, String reason) throws Exception {
    Files.write(salt.path("mnt/etcd/snapshot.db"), randomBytes());
    Files.write(salt.path("mnt/etcd/snapshot-events.db"), randomBytes());

    StateRun run = salt.apply(SLS, pillar + morePillar);

    assertThat(run.exitCode()).as("%s", run).isNotZero();
    assertThat(run.failures()).as("%s", run).singleElement().asString()
        .contains(reason)
        .contains("nothing was stopped");
    assertNothingStoppedOrMoved(run);
  }

  @Test
  void installsTheJarFromItsSourceWithItsChecksumBeforeVerifyingWithIt() throws Exception {
    Path jar = Path.of(System.getProperty("snapshotter.jar"));
    Path installed = salt.path("opt/etcd-snapshotter/etcd-snapshotter.jar");
    String install = """
        etcd_restore:
          install: true
          jre_package: ''
          jar: %s
          jar_source: %s
          jar_source_hash: sha256=%s
        """;
    Files.write(salt.path("mnt/etcd/snapshot.db"), randomBytes());
    Files.write(salt.path("mnt/etcd/snapshot-events.db"), randomBytes());

    StateRun wrongHash = salt.apply(SLS, pillar + install.formatted(installed, jar.toUri(), "0".repeat(64)));
    assertThat(wrongHash.exitCode()).as("%s", wrongHash).isNotZero();
    assertThat(installed).doesNotExist();
    assertNothingStoppedOrMoved(wrongHash);

    StateRun run = salt.apply(SLS, pillar + install.formatted(installed, jar.toUri(), Sha256Sum.of(jar)));
    assertThat(installed).hasSameBinaryContentAs(jar);
    assertThat(run.states()).as("%s", run)
        .filteredOn(state -> state.id().endsWith("-verify")).hasSize(2)
        .allSatisfy(verify -> assertThat(verify.result()).isFalse());
    assertNothingStoppedOrMoved(run);
  }

  /** Only the checks report changes: the decisions that a cluster is pending, its verify, the jar's install. */
  private void assertNothingStoppedOrMoved(StateRun run) throws IOException {
    assertThat(run.states()).as("%s", run)
        .filteredOn(state -> !state.id().endsWith("-pending") && !state.id().endsWith("-verify")
            && !state.id().equals("etcd-restore-jar"))
        .allSatisfy(state -> assertThat(state.changes()).isEmpty());
    assertThat(salt.path("etc/kubernetes/manifests/etcd.manifest")).isRegularFile();
    assertThat(salt.path("etc/kubernetes/manifests/etcd-events.manifest")).isRegularFile();
    assertThat(salt.path("etc/kubernetes/etcd-restore-manifests")).doesNotExist();
    try (Stream<Path> etcdDirs = Files.list(salt.path("var/etcd"))) {
      assertThat(etcdDirs.map(dir -> dir.getFileName().toString()).toList())
          .containsExactlyInAnyOrder("data", "data-events");
    }
  }


  private static byte[] randomBytes() {
    byte[] bytes = new byte[64 * 1024];
    new Random(4).nextBytes(bytes);
    return bytes;
  }
}
