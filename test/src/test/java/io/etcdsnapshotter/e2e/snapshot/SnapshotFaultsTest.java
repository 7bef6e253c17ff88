package io.etcdsnapshotter.e2e.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.etcd.DataSeeder;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdMember;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.etcd.SnapshotTool;
import io.etcdsnapshotter.e2e.fs.SmallFileSystem;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What goes wrong on a real control plane: a member that is down, a member that dies while it streams, two runs
 * at once. Whatever happens, the snapshot already on the volume stays byte for byte what it was.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(EtcdVersion.class)
class SnapshotFaultsTest {
  /** Large enough that a stream is still running when the test acts on it; values are incompressible. */
  private static final int BIG_MEGABYTES = 200;
  private static EtcdCluster small;
  private static EtcdCluster big;

  @Parameter EtcdVersion version;
  @TempDir Path tmp;

  @BeforeParameterizedClassInvocation
  static void startClusters(EtcdVersion version) {
    small = EtcdCluster.start(version, 1, Security.PLAIN);
    big = EtcdCluster.start(version, 1, Security.PLAIN);
    DataSeeder.seed(small, "registry", 500);
    DataSeeder.fill(big, "registry", BIG_MEGABYTES);
  }

  @AfterParameterizedClassInvocation
  static void stopClusters() {
    try (EtcdCluster first = small; EtcdCluster second = big) {
      // closes both, even when one fails to close
    }
  }

  @Test
  void memberDownFailsNamingClusterAndEndpointAndKeepsTheOldSnapshot() {
    Path volume = volumeWithOldSnapshot();
    Map<String, String> before = Volume.fingerprint(volume);
    EtcdMember member = small.member(0);
    member.stop();
    try {
      ProcessResult run = SnapshotRun.into(volume).cluster("main", small).run();

      assertFailedOnlyFor(run, member);
      assertThat(Volume.fingerprint(volume)).isEqualTo(before);
    } finally {
      small.restart(member);
    }
  }

  @Test
  void aClusterThatFailsDoesNotStopTheOthers() {
    Path volume = tmp.resolve("volume");
    EtcdMember down = small.member(0);
    down.stop();
    try {
      ProcessResult run = SnapshotRun.into(volume).cluster("main", small).cluster("events", big).run();

      assertFailedOnlyFor(run, down);
      assertThat(volume.resolve("snapshot.db")).doesNotExist();
      assertThat(new SnapshotTool(version).statusJson(volume.resolve("snapshot-events.db")).path("revision")
          .asLong()).isEqualTo(big.etcdctl().revision());
    } finally {
      small.restart(down);
    }
  }

  @Test
  void memberKilledMidStreamLeavesTheOldSnapshotAndNoTempFile() {
    Path volume = volumeWithOldSnapshot();
    Map<String, String> before = Volume.fingerprint(volume);
    EtcdMember member = big.member(0);
    try (RunningProcess run = SnapshotRun.into(volume).cluster("main", big).start()) {
      Path part = TempFiles.awaitGrowing(volume, before.keySet(), run);
      member.freeze(); // holds the stream where it is, so the kill below lands mid-stream
      assertThat(part).as("the stream was still running when the member froze").exists();
      assertThat(part.getFileName().toString()).doesNotEndWith(".db");
      member.kill();

      ProcessResult result = run.await(Jar.TIMEOUT);

      assertFailedOnlyFor(result, member);
      assertThat(Volume.fingerprint(volume)).as("no temp file left, old snapshot intact").isEqualTo(before);
    } finally {
      big.restart(member);
    }
  }

  @Test
  void aStreamPastItsCommandTimeoutIsCutOffAndTheOldSnapshotKept() {
    Path volume = volumeWithOldSnapshot();
    Map<String, String> before = Volume.fingerprint(volume);
    EtcdMember member = big.member(0);
    try (RunningProcess run = SnapshotRun.into(volume).cluster("main", big).with("--command-timeout", "3s").start()) {
      TempFiles.awaitGrowing(volume, before.keySet(), run);
      member.freeze(); // a member that stops sending without closing the connection
      ProcessResult result;
      try {
        result = run.await(Jar.TIMEOUT);
      } finally {
        member.resume();
      }

      assertFailedOnlyFor(result, member);
      assertThat(Jar.messages(result).get(0)).contains("did not finish within 3s", "--command-timeout");
      assertThat(Volume.fingerprint(volume)).as("no temp file left, old snapshot intact").isEqualTo(before);
    }
  }

  @Test
  void aSigtermMidStreamLeavesTheOldSnapshotNoTempFileAndRecordsTheFailure() {
    Path volume = volumeWithOldSnapshot();
    Map<String, String> before = Volume.fingerprint(volume);
    EtcdMember member = big.member(0);
    try (RunningProcess run = SnapshotRun.into(volume).cluster("main", big).start()) {
      TempFiles.awaitGrowing(volume, before.keySet(), run);
      member.freeze(); // the stream hangs as at a Job's deadline, when the kubelet sends SIGTERM
      ProcessResult result;
      try {
        run.stop(Jar.TIMEOUT);
        result = run.await(Duration.ZERO);
      } finally {
        member.resume();
      }

      assertThat(result.exitCode()).as(result.toString()).isNotZero();
      assertThat(Volume.fingerprint(volume)).as("no temp file left, old snapshot intact").isEqualTo(before);
      assertThat(Volume.entry(volume, "main").path("lastFailure").path("message").asText())
          .as(result.toString()).contains("terminated", "previous snapshot kept");
      assertThat(Jar.hasStackTrace(result)).as(result.toString()).isFalse();
    }
  }

  @Test
  void aVolumeThatFillsUpMidStreamLeavesTheOldSnapshotAndNoTempFile() {
    Path volume = volumeWithOldSnapshot();
    Map<String, String> before = Volume.fingerprint(volume);
    String[] args = SnapshotRun.into(volume).cluster("main", big).args();

    ProcessResult run = Jar.runWithFileSizeLimit(BIG_MEGABYTES * 1024L / 4, args);

    assertFailedOnlyFor(run, big.member(0));
    assertThat(Jar.messages(run).get(0)).contains("writing the snapshot failed", "File too large");
    assertThat(Volume.fingerprint(volume)).as("no temp file left, old snapshot intact").isEqualTo(before);
  }

  @Test
  void aVolumeTooSmallForTheDatabaseFailsBeforeStreamingNamingBothSizes() throws IOException {
    try (SmallFileSystem small = smallVolume()) {
      Path volume = volumeWithOldSnapshot(small.path());
      Map<String, String> before = Volume.fingerprint(volume);

      ProcessResult run = SnapshotRun.into(volume).cluster("main", big).run();

      assertFailedOnlyFor(run, big.member(0));
      assertThat(Jar.messages(run).get(0)).containsPattern("needs \\d+\\.\\d MiB .* has \\d+\\.\\d MiB free");
      assertThat(Volume.fingerprint(volume)).as("nothing written, old snapshot intact").isEqualTo(before);
    }
  }

  @Test
  void olderGenerationsThatCannotMakeRoomAreKept() throws IOException {
    try (SmallFileSystem mount = smallVolume()) {
      Path volume = mount.path().resolve("volume");
      for (int run = 1; run <= 3; run++) {
        small.etcdctl().ok("put", "/registry/run", Integer.toString(run));
        ProcessResult saved = SnapshotRun.into(volume).cluster("main", small).with("--keep", "3").run();
        assertThat(saved.exitCode()).as(saved.toString()).isZero();
      }
      Map<String, String> before = fingerprintWithGenerations(volume);
      assertThat(before.keySet()).as("the newest snapshot and two older generations, each with its cluster ID")
          .filteredOn(name -> name.endsWith(".db")).hasSize(3);
      assertThat(before.keySet()).filteredOn(name -> name.endsWith(".db.cluster-id")).hasSize(2);

      ProcessResult run = SnapshotRun.into(volume).cluster("main", big).with("--keep", "3", "--allow-cluster-change")
          .run();

      assertFailedOnlyFor(run, big.member(0));
      assertThat(Jar.messages(run).get(0)).contains("needs", "older generations would not make it fit");
      assertThat(fingerprintWithGenerations(volume)).as("every generation kept").isEqualTo(before);
    }
  }

  /** The snapshot files of the volume and of its generations/, by path relative to it. */
  private static Map<String, String> fingerprintWithGenerations(Path volume) {
    Map<String, String> files = new java.util.TreeMap<>(Volume.fingerprint(volume));
    files.remove("generations");
    Volume.fingerprint(volume.resolve("generations")).forEach((name, sha) -> files.put("generations/" + name, sha));
    return files;
  }

  /** A tmpfs a quarter of the big database's size, mounted in the test's directory (skips without root). */
  private SmallFileSystem smallVolume() throws IOException {
    return SmallFileSystem.mount(tmp.resolve("small"), BIG_MEGABYTES / 4 + "m");
  }

  @Test
  void aSecondRunWhileTheFirstHoldsTheVolumeIsRefused() {
    Path volume = tmp.resolve("volume");
    EtcdMember member = big.member(0);
    try (RunningProcess first = SnapshotRun.into(volume).cluster("main", big).start()) {
      TempFiles.awaitGrowing(volume, Set.of(), first);
      member.freeze(); // keeps the first run busy for as long as the second takes
      ProcessResult second;
      try {
        second = SnapshotRun.into(volume).cluster("main", small).run();
      } finally {
        member.resume();
      }

      assertThat(second.exitCode()).as(second.toString()).isEqualTo(1);
      assertThat(Jar.messages(second)).as(second.toString()).singleElement()
          .satisfies(line -> assertThat(line).containsIgnoringCase("another").containsIgnoringCase("lock"));
      ProcessResult firstResult = first.await(Jar.TIMEOUT);
      assertThat(firstResult.exitCode()).as(firstResult.toString()).isZero();
      assertThat(new SnapshotTool(version).statusJson(volume.resolve("snapshot.db")).path("revision").asLong())
          .isEqualTo(big.etcdctl().revision());
    }
  }

  /** Exit 1 and one line, no stack trace, naming cluster main and the endpoint of {@code member}. */
  private static void assertFailedOnlyFor(ProcessResult run, EtcdMember member) {
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(Jar.messages(run)).as(run.toString()).singleElement()
        .satisfies(line -> assertThat(line).contains("main", member.clientUrl().toString()));
    assertThat(Jar.hasStackTrace(run)).as(run.toString()).isFalse();
  }

  /** A volume as a previous run left it: a good snapshot (etcd's own), directory 0700, file 0600. */
  private Path volumeWithOldSnapshot() {
    return volumeWithOldSnapshot(tmp);
  }

  private static Path volumeWithOldSnapshot(Path parent) {
    try {
      Path volume = Files.createDirectory(parent.resolve("volume"),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      small.etcdctl().saveSnapshot(volume.resolve("snapshot.db"));
      Files.setPosixFilePermissions(volume.resolve("snapshot.db"), PosixFilePermissions.fromString("rw-------"));
      return volume;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
