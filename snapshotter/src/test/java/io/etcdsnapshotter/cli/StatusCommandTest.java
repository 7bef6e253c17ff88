package io.etcdsnapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.etcdsnapshotter.bolt.SnapshotFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class StatusCommandTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void jsonIsEtcdctlsLine(String version) {
    CliRun run = CliRun.of("status", SnapshotFixtures.snapshot(version).toString(), "-w", "json");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).isEqualTo(SnapshotFixtures.statusJson(version) + "\n");
    assertThat(run.err()).isEmpty();
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void tableIsTheDefaultAndEtcdctlsTable(String version) {
    CliRun run = CliRun.of("status", SnapshotFixtures.snapshot(version).toString());
    assertThat(run.exit()).isZero();
    assertThat(run.out()).isEqualTo(SnapshotFixtures.statusTable(version));
  }

  @Test
  void aMissingFileIsOneLineAndExit1() {
    assertOneLineFailure(CliRun.of("status", tmp.resolve("nope.db").toString()), "nope.db: no such file");
  }

  @Test
  void aDirectoryIsOneLineAndExit1() {
    assertOneLineFailure(CliRun.of("status", tmp.toString()), "is a directory, not a snapshot file");
  }

  @Test
  void randomBytesAreOneLineAndExit1() throws IOException {
    Path junk = Files.write(tmp.resolve("junk.db"), new byte[8192]);
    assertOneLineFailure(CliRun.of("status", junk.toString()), "not a bbolt database");
  }

  @Test
  void anUnreadableFileIsOneLineAndExit1() throws IOException {
    Path locked = SnapshotFixtures.write(tmp, "locked.db", SnapshotFixtures.bytes("3.4"));
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    assumeFalse(Files.isReadable(locked), "permissions do not apply to root");
    assertOneLineFailure(CliRun.of("status", locked.toString()), "permission denied");
  }

  @Test
  void anUnknownFormatIsAUsageError() {
    CliRun run = CliRun.of("status", SnapshotFixtures.snapshot("3.4").toString(), "-w", "yaml");
    assertThat(run.exit()).isEqualTo(Main.EXIT_USAGE);
  }

  static void assertOneLineFailure(CliRun run, String problem) {
    assertThat(run.exit()).isEqualTo(Main.EXIT_FAILED);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains(problem).endsWith("\n").hasLineCount(1).doesNotContain("Exception", "\tat ");
  }
}
