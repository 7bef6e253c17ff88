package io.etcdsnapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.bolt.SnapshotFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StatusCommandTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"3.4", "3.5", "3.6", "3.7"})
  void jsonIsTheLineOfTheFilesOwnRelease(String version) {
    CliRun run = CliRun.of("status", SnapshotFixtures.snapshot(version).toString(), "-w", "json");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).isEqualTo(SnapshotFixtures.statusJson(version) + "\n");
    assertThat(run.err()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"3.4", "3.5", "3.6"})
  void tableIsTheDefaultAndTheTableOfTheFilesOwnRelease(String version) {
    CliRun run = CliRun.of("status", SnapshotFixtures.snapshot(version).toString());
    assertThat(run.exit()).isZero();
    assertThat(run.out()).isEqualTo(SnapshotFixtures.statusTable(version));
  }

  /** etcdutl 3.5.35 on the 3.6 file, etcdutl 3.6.16 on the 3.5 file: --semantics overrides the storage version. */
  @Test
  void theFlagPicksTheOtherSemantics() {
    CliRun etcd35 = CliRun.of("status", "--semantics", "3.5", SnapshotFixtures.snapshot("3.6").toString(), "-w", "json");
    assertThat(etcd35.exit()).isZero();
    assertThat(etcd35.out()).isEqualTo("{\"hash\":285007631,\"revision\":149,\"totalKey\":3273,\"totalSize\":925696}\n");
    CliRun etcd36 = CliRun.of("status", SnapshotFixtures.snapshot("3.5").toString(), "-w", "json", "--semantics=3.6");
    assertThat(etcd36.exit()).isZero();
    assertThat(etcd36.out()).isEqualTo(
        "{\"hash\":3806364411,\"revision\":149,\"totalKey\":2417,\"totalSize\":966656,\"version\":\"\"}\n");
  }

  @ParameterizedTest
  @CsvSource({"3.5, auto, 'e2e082fb, 149, 3272, 967 kB'", "3.5, 3.6, 'e2e082fb, 149, 2417, 967 kB, '",
      "3.6, auto, '10fcdf0f, 149, 2417, 926 kB, 3.6.0'", "3.6, 3.5, '10fcdf0f, 149, 3273, 926 kB'"})
  void simpleIsEtcdutlsLineOfTheChosenSemantics(String release, String semantics, String line) {
    CliRun run = CliRun.of("status", SnapshotFixtures.snapshot(release).toString(), "-w", "simple",
        "--semantics", semantics);
    assertThat(run.exit()).isZero();
    assertThat(run.out()).isEqualTo(line + "\n");
  }

  @Test
  void explicitAutoIsTheDefault() {
    String file = SnapshotFixtures.snapshot("3.6").toString();
    assertThat(CliRun.of("status", file, "--semantics", "auto").out()).isEqualTo(CliRun.of("status", file).out())
        .isEqualTo(SnapshotFixtures.statusTable("3.6"));
  }

  @Test
  void anUnknownSemanticsIsAUsageError() {
    CliRun run = CliRun.of("status", SnapshotFixtures.snapshot("3.6").toString(), "--semantics", "3.7");
    assertThat(run.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("'3.7' is not one of auto, 3.5, 3.6");
  }

  @Test
  void helpNamesTheToolEachSemanticsEquals() {
    CliRun run = CliRun.of("status", "--help");
    assertThat(run.exit()).isZero();
    assertThat(run.out().replaceAll("\\s+", " ")).contains("--semantics=auto|3.5|3.6",
        "auto (default): those of etcdutl of the file's own storage version",
        "3.5: exactly `etcdctl snapshot status` of etcd 3.4 and `etcdutl snapshot status` of etcd 3.5",
        "3.6: exactly `etcdutl snapshot status -w json` of etcd 3.6 and 3.7, and etcdutl 3.6's table");
  }

  @Test
  void aValueThatIsNoKeyValueIsOneLineAndExit1Under36Semantics() throws IOException {
    byte[] file = Arrays.copyOf(SnapshotFixtures.bytes("3.6"), SnapshotFixtures.bytes("3.6").length
        - SnapshotFixtures.TRAILER);
    // The first entry left after the fixture's compaction is revision 2, sub 1. Every copy of its value (free pages
    // may hold stale ones) gets field 1 as a varint: tag 0x0a becomes 0x08.
    byte[] value = firstValueOfBucketKey(SnapshotFixtures.snapshot("3.6"));
    assertThat(value[0]).isEqualTo((byte) 0x0a);
    for (int at = indexOf(file, value, 0); at >= 0; at = indexOf(file, value, at + 1)) {
      file[at] = 0x08;
    }
    Path damaged = SnapshotFixtures.write(tmp, "value.db", file);
    assertOneLineFailure(CliRun.of("status", damaged.toString()), damaged + ": cannot unmarshal the value at"
        + " revision 2 (sub 1) of bucket 'key' as an mvccpb.KeyValue: proto: wrong wireType = 0 for field Key");
    assertThat(CliRun.of("status", damaged.toString(), "--semantics", "3.5").exit()).isZero();
  }

  private static byte[] firstValueOfBucketKey(Path snapshot) throws IOException {
    List<byte[]> values = new ArrayList<>();
    try (BoltFile bolt = BoltFile.open(snapshot)) {
      bolt.forEach("key".getBytes(StandardCharsets.US_ASCII), (key, value) -> values.add(value));
    }
    return values.get(0);
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    for (int i = from; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void aMissingFileIsOneLineAndExit1() {
    assertOneLineFailure(CliRun.of("status", tmp.resolve("nope.db").toString()), "nope.db: no such file");
  }

  @Test
  void aDirectoryWithoutJournalSegmentsIsOneLineAndExit1() {
    assertOneLineFailure(CliRun.of("status", tmp.toString()), tmp + " holds no journal segment");
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
