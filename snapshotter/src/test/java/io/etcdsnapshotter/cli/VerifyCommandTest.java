package io.etcdsnapshotter.cli;

import static io.etcdsnapshotter.cli.StatusCommandTest.assertOneLineFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.bolt.SnapshotFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class VerifyCommandTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void aSoundSnapshotPassesWithASummary(String version) {
    CliRun run = CliRun.of("verify", SnapshotFixtures.snapshot(version).toString());
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains(": OK", "sha256    ok", "page 0 valid", "page 1 valid", "10 buckets");
    assertThat(run.err()).isEmpty();
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void aTrialRestoreProvesTheFileRestorableAndLeavesNothing(String version) throws IOException {
    CliRun run = CliRun.of("verify", "--restore", "--scratch-dir", tmp.toString(),
        SnapshotFixtures.snapshot(version).toString());
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains(": OK", "  restore   ");
    try (var left = Files.list(tmp)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void etcdVersionChecksThatThatEtcdStartsFromARestore() {
    String etcd37 = SnapshotFixtures.snapshot("3.7").toString();
    CliRun starts = CliRun.of("verify", etcd37, "--etcd-version", "v3.7.3");
    assertThat(starts.exit()).isZero();
    assertThat(starts.out()).contains(": OK", "server    etcd 3.7.3 starts from a restore of it");

    assertOneLineFailure(CliRun.of("verify", etcd37, "--etcd-version", "3.6.16"),
        "the snapshot's storage version is 3.7.0 and etcd 3.6.16 refuses to start from it");
    CliRun usage = CliRun.of("verify", etcd37, "--etcd-version", "latest");
    assertThat(usage.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(usage.err()).contains("--etcd-version 'latest' is not an etcd release").hasLineCount(1);
  }

  @Test
  void aTrialRestoreOfADbWithoutTrailerSkipsOnlyTheHashCheck() throws IOException {
    Path db = SnapshotFixtures.write(tmp, "db", SnapshotFixtures.db("3.5"));
    Path scratch = Files.createDirectory(tmp.resolve("scratch"));
    CliRun run = CliRun.of("verify", "--restore", "--scratch-dir", scratch.toString(), db.toString());
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("no integrity trailer", "  restore   ");
  }

  @Test
  void aTrialRestoreUsesANewPrivateDirNotANameSomeoneElseCouldHaveCreated() throws IOException {
    Path scratch = Files.createDirectory(tmp.resolve("shared-tmp"));
    Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
    // What another user of a shared /tmp could plant under the name the trial dir used to have.
    Path planted = Files.createSymbolicLink(
        scratch.resolve("etcd-snapshotter-trial-" + ProcessHandle.current().pid()), elsewhere);
    CliRun run = CliRun.of("verify", "--restore", "--scratch-dir", scratch.toString(),
        SnapshotFixtures.snapshot("3.5").toString());
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("  restore   ");
    try (var left = Files.list(scratch); var inside = Files.list(elsewhere)) {
      assertThat(left).containsExactly(planted);
      assertThat(inside).isEmpty();
    }
  }

  @Test
  void aScratchDirThatIsNoDirectoryIsAUsageError() throws IOException {
    String snapshot = SnapshotFixtures.snapshot("3.5").toString();
    Path missing = tmp.resolve("missing");
    CliRun absent = CliRun.of("verify", "--restore", "--scratch-dir", missing.toString(), snapshot);
    assertThat(absent.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(absent.err()).isEqualTo("etcd-snapshotter verify: --scratch-dir " + missing + " does not exist; give an"
        + " existing directory, or leave it out for the system temp dir" + System.lineSeparator());
    assertThat(missing).doesNotExist();
    Path file = Files.writeString(tmp.resolve("file"), "x");
    CliRun notDir = CliRun.of("verify", "--restore", "--scratch-dir", file.toString(), snapshot);
    assertThat(notDir.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(notDir.err()).contains("--scratch-dir " + file + " is not a directory").hasLineCount(1);
    assertThat(notDir.out()).isEmpty();
  }

  @Test
  void aDbWithoutTrailerPassesAndSaysSo() throws IOException {
    Path db = SnapshotFixtures.write(tmp, "db", SnapshotFixtures.db("3.5"));
    CliRun run = CliRun.of("verify", db.toString());
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("no integrity trailer");
  }

  @Test
  void theSha256FileHoldsWhatSha256sumPrintsWithOrWithoutATrailer() throws Exception {
    Path snapshot = SnapshotFixtures.snapshot("3.6");
    Path db = SnapshotFixtures.write(tmp, "db", SnapshotFixtures.db("3.6"));
    for (Path file : List.of(snapshot, db)) {
      Path out = tmp.resolve("cache/etcd-restore/" + file.getFileName() + ".sha256");
      CliRun run = CliRun.of("verify", file.toString(), "--sha256-file", out.toString());
      assertThat(run.exit()).as(run.err()).isZero();
      assertThat(out).hasContent(sha256sum(file) + "\n");
      assertThat(Files.getPosixFilePermissions(out)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Files.getPosixFilePermissions(out.getParent()))
          .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void aDamagedSnapshotFailsWithOneLineAndWritesNoSha256() throws IOException {
    byte[] file = SnapshotFixtures.bytes("3.4");
    file[SnapshotFixtures.indexOf(file, "held-2")] ^= 0x20;
    Path damaged = SnapshotFixtures.write(tmp, "snap.db", file);
    Path out = tmp.resolve("snap.db.sha256");
    assertOneLineFailure(CliRun.of("verify", damaged.toString(), "--sha256-file", out.toString()),
        "SHA-256 mismatch");
    assertThat(out).doesNotExist();
  }

  @Test
  void aTruncatedSnapshotFailsWithOneLine() throws IOException {
    byte[] file = SnapshotFixtures.bytes("3.4");
    Path cut = SnapshotFixtures.write(tmp, "cut.db", Arrays.copyOf(file, 3 * 4096 + 100));
    assertOneLineFailure(CliRun.of("verify", cut.toString()), "the file is truncated");
  }

  @Test
  void anEmptyFileFailsWithOneLine() throws IOException {
    Path empty = Files.createFile(tmp.resolve("empty.db"));
    assertOneLineFailure(CliRun.of("verify", empty.toString()), "is empty (0 bytes)");
  }

  @Test
  void aMissingFileFailsWithOneLine() {
    assertOneLineFailure(CliRun.of("verify", tmp.resolve("nope.db").toString()), "no such file");
  }

  @Test
  void helpDocumentsTheExitCodes() {
    CliRun run = CliRun.of("verify", "--help");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("Exit codes:", "without an integrity trailer");
  }

  private static String sha256sum(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
