package io.etcdsnapshotter.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdsnapshotter.TextTable;
import io.etcdsnapshotter.bolt.BoltFormatException;
import io.etcdsnapshotter.bolt.SnapshotFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fixtures' expected lines are what etcd's tools printed for them. The {@link EtcdHistory} cases were also
 * written out and run through etcdutl 3.5.35 and 3.6.16 {@code snapshot status -w json}: 3.5 semantics gave
 * etcdutl 3.5's line, 3.6 semantics etcdutl 3.6's, for every one of them.
 */
class SnapshotStatusTest {
  /** etcdutl 3.6.16's {@code -w table} of the 3.7 fixture: the ASCII table we print (etcdutl 3.7 draws Unicode). */
  private static final String TABLE_37_BY_ETCDUTL_36 = """
      +---------+----------+------------+------------+---------+
      |  HASH   | REVISION | TOTAL KEYS | TOTAL SIZE | VERSION |
      +---------+----------+------------+------------+---------+
      | e43ea20 |      149 |       2417 |     926 kB |   3.7.0 |
      +---------+----------+------------+------------+---------+
      """;

  @TempDir Path tmp;

  /** By default a file's status is what its own release's tool printed when the fixture was made. */
  @ParameterizedTest
  @ValueSource(strings = {"3.4", "3.5", "3.6", "3.7"})
  void jsonEqualsWhatEtcdsOwnToolPrinted(String version) throws IOException {
    assertThat(SnapshotStatus.of(SnapshotFixtures.snapshot(version)).toJson())
        .isEqualTo(SnapshotFixtures.statusJson(version));
  }

  /** Each fixture under each semantics: what etcdutl 3.5.35 and 3.6.16 {@code snapshot status -w json} printed. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "3.4 | 3.5 | {\"hash\":2738122330,\"revision\":149,\"totalKey\":3270,\"totalSize\":925696}",
    "3.4 | 3.6 | {\"hash\":2738122330,\"revision\":149,\"totalKey\":2417,\"totalSize\":925696,\"version\":\"\"}",
    "3.5 | 3.5 | {\"hash\":3806364411,\"revision\":149,\"totalKey\":3272,\"totalSize\":966656}",
    "3.5 | 3.6 | {\"hash\":3806364411,\"revision\":149,\"totalKey\":2417,\"totalSize\":966656,\"version\":\"\"}",
    "3.6 | 3.5 | {\"hash\":285007631,\"revision\":149,\"totalKey\":3273,\"totalSize\":925696}",
    "3.6 | 3.6 | {\"hash\":285007631,\"revision\":149,\"totalKey\":2417,\"totalSize\":925696,\"version\":\"3.6.0\"}",
    "3.7 | 3.5 | {\"hash\":239331872,\"revision\":149,\"totalKey\":3273,\"totalSize\":925696}",
    "3.7 | 3.6 | {\"hash\":239331872,\"revision\":149,\"totalKey\":2417,\"totalSize\":925696,\"version\":\"3.7.0\"}"
  })
  void eachSemanticsEqualsItsEtcdutl(String release, String semantics, String json) throws IOException {
    assertThat(SnapshotStatus.of(SnapshotFixtures.snapshot(release), semantics(semantics)).toJson()).isEqualTo(json);
  }

  @ParameterizedTest
  @ValueSource(strings = {"3.4", "3.5", "3.6"})
  void tableEqualsWhatEtcdsOwnToolPrinted(String version) throws IOException {
    assertThat(StatusTable.render(SnapshotStatus.of(SnapshotFixtures.snapshot(version))))
        .isEqualTo(SnapshotFixtures.statusTable(version));
  }

  @Test
  void a37FileGetsEtcdutl36sAsciiTable() throws IOException {
    assertThat(StatusTable.render(SnapshotStatus.of(SnapshotFixtures.snapshot("3.7"))))
        .isEqualTo(TABLE_37_BY_ETCDUTL_36);
  }

  /** etcdutl 3.6.16 on the 3.5 fixture: an empty VERSION cell, and a trailing ", " in -w simple. */
  @Test
  void withoutAStorageVersion36SemanticsShowAnEmptyVersion() throws IOException {
    SnapshotStatus status = SnapshotStatus.of(SnapshotFixtures.snapshot("3.5"), StatusSemantics.ETCD_36);
    assertThat(StatusTable.render(status)).isEqualTo("""
        +----------+----------+------------+------------+---------+
        |   HASH   | REVISION | TOTAL KEYS | TOTAL SIZE | VERSION |
        +----------+----------+------------+------------+---------+
        | e2e082fb |      149 |       2417 |     967 kB |         |
        +----------+----------+------------+------------+---------+
        """);
    assertThat(StatusTable.simple(status)).isEqualTo("e2e082fb, 149, 2417, 967 kB, ");
  }

  /** etcdutl 3.5.35 on the 3.6 fixture and etcdutl 3.6.16 on it: the same simple line but for keys and version. */
  @Test
  void simpleLinesOfBothSemantics() throws IOException {
    Path file = SnapshotFixtures.snapshot("3.6");
    assertThat(StatusTable.simple(SnapshotStatus.of(file, StatusSemantics.ETCD_35)))
        .isEqualTo("10fcdf0f, 149, 3273, 926 kB");
    assertThat(StatusTable.simple(SnapshotStatus.of(file))).isEqualTo("10fcdf0f, 149, 2417, 926 kB, 3.6.0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"3.4", "3.5", "3.6", "3.7"})
  void aDbWithoutTrailerHasTheSameStatus(String version) throws IOException {
    Path db = SnapshotFixtures.write(tmp, "db", SnapshotFixtures.db(version));
    assertThat(SnapshotStatus.of(db).toJson()).isEqualTo(SnapshotFixtures.statusJson(version));
  }

  @Test
  void overwritesCountOnceAndDeletesRemoveTheKey() throws IOException {
    EtcdHistory history = new EtcdHistory().storageVersion("3.6.0")
        .put("a").put("b").put("a").put("c").put("a").delete("b");
    assertThat(liveKeys(history)).isEqualTo(2); // a, c
    assertThat(pairs(history)).isEqualTo(6 + 2); // every revision, and meta's two keys
  }

  @Test
  void aKeyPutAgainAfterItsDeletionCountsAgain() throws IOException {
    assertThat(liveKeys(new EtcdHistory().put("a").delete("a"))).isZero();
    assertThat(liveKeys(new EtcdHistory().put("a").delete("a").put("a"))).isOne();
    assertThat(liveKeys(new EtcdHistory().put("a").delete("a").put("a").delete("a"))).isZero();
  }

  /** etcdutl deletes a missing key from its map without complaint; so do we. */
  @Test
  void aTombstoneOfAKeyNotSeenRemovesNothing() throws IOException {
    assertThat(liveKeys(new EtcdHistory().put("a").delete("b").put("c"))).isEqualTo(2);
  }

  /** The empty value of restore's bump entry parses as a KeyValue with key "", which then counts as a key. */
  @Test
  void theBumpEntryCountsAsTheEmptyKey() throws IOException {
    EtcdHistory history = new EtcdHistory().put("a").put("b").delete("a").bump(1_000_000_000);
    assertThat(liveKeys(history)).isEqualTo(2); // b and ""
    assertThat(status(history, StatusSemantics.ETCD_36).revision()).isEqualTo(history.nextRevision() - 1);
  }

  @Test
  void theRevisionIsTheLastEntrysEvenATombstone() throws IOException {
    EtcdHistory history = new EtcdHistory().put("a").put("b").delete("a");
    for (StatusSemantics semantics : StatusSemantics.values()) {
      assertThat(status(history, semantics).revision()).isEqualTo(4);
    }
  }

  /** Only totalKey and version differ: hash, revision and totalSize are one algorithm in every release. */
  @Test
  void bothSemanticsShareHashRevisionAndSize() throws IOException {
    EtcdHistory history = new EtcdHistory().put("a").put("a").delete("a").put("b");
    EtcdHistory.Written written = history.write(tmp.resolve("h.db"));
    SnapshotStatus etcd35 = SnapshotStatus.of(written.path(), StatusSemantics.ETCD_35);
    SnapshotStatus etcd36 = SnapshotStatus.of(written.path(), StatusSemantics.ETCD_36);
    assertThat(etcd35).isEqualTo(new SnapshotStatus(written.hash(), 5, written.pairs(), Files.size(written.path())));
    assertThat(etcd36).isEqualTo(new SnapshotStatus(written.hash(), 5, 1, Files.size(written.path()), ""));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "3.6.0 | 3.6.0",
    "3.7.0 | 3.7.0",
    "03.6.0 | 3.6.0",
    "3.6.0-rc.0+x | 3.6.0-rc.0+x"
  })
  void aParsableStorageVersionMeans36Semantics(String stored, String shown) throws IOException {
    EtcdHistory history = new EtcdHistory().storageVersion(stored).put("a").put("a");
    SnapshotStatus status = status(history, StatusSemantics.AUTO);
    assertThat(status.version()).isEqualTo(shown);
    assertThat(status.totalKey()).isOne();
  }

  @ParameterizedTest
  @ValueSource(strings = {"3.6", "v3.6.0", "garbage", ""})
  void anUnparsableStorageVersionMeans35Semantics(String stored) throws IOException {
    EtcdHistory history = new EtcdHistory().storageVersion(stored).put("a").put("a");
    SnapshotStatus status = status(history, StatusSemantics.AUTO);
    assertThat(status.version()).isNull();
    assertThat(status.totalKey()).isEqualTo(2 + 2);
    assertThat(status(history, StatusSemantics.ETCD_36).version()).isEmpty();
  }

  @Test
  void noStorageVersionMeans35Semantics() throws IOException {
    EtcdHistory history = new EtcdHistory().put("a").put("a");
    assertThat(status(history, StatusSemantics.AUTO)).isEqualTo(status(history, StatusSemantics.ETCD_35));
    assertThat(status(history, StatusSemantics.AUTO).totalKey()).isEqualTo(2 + 1);
  }

  @Test
  void anExplicitSemanticsOverridesTheStorageVersion() throws IOException {
    EtcdHistory history = new EtcdHistory().storageVersion("3.6.0").put("a").put("a");
    SnapshotStatus etcd35 = status(history, StatusSemantics.ETCD_35);
    assertThat(etcd35.version()).isNull();
    assertThat(etcd35.totalKey()).isEqualTo(2 + 2);
    assertThat(status(history, StatusSemantics.ETCD_36).version()).isEqualTo("3.6.0");
  }

  /** etcdutl 3.6 fails with "cannot unmarshal value"; the 3.5 numbers never read a value, so they are fine. */
  @Test
  void aValueThatIsNoKeyValueFails36SemanticsNamingFileAndRevision() throws IOException {
    EtcdHistory history = new EtcdHistory().storageVersion("3.6.0").put("a")
        .value(new byte[] {0x0a, 0x05, 'a'}).put("b");
    Path file = history.write(tmp.resolve("bad.db")).path();
    assertThatThrownBy(() -> SnapshotStatus.of(file)).isInstanceOf(IOException.class)
        .hasMessage(file + ": cannot unmarshal the value at revision 3 (sub 0) of bucket 'key' as an"
            + " mvccpb.KeyValue: unexpected EOF (etcdutl 3.6+ fails on it too; the 3.4/3.5 status does not read"
            + " values)");
    assertThat(SnapshotStatus.of(file, StatusSemantics.ETCD_35).totalKey()).isEqualTo(3 + 2);
  }

  @Test
  void aRevisionKeyShorterThan17BytesFailsEitherSemantics() throws IOException {
    EtcdHistory history = new EtcdHistory().storageVersion("3.6.0").raw(new byte[16], new byte[0]);
    Path file = history.write(tmp.resolve("short.db")).path();
    for (StatusSemantics semantics : StatusSemantics.values()) {
      assertThatThrownBy(() -> SnapshotStatus.of(file, semantics)).isInstanceOf(BoltFormatException.class)
          .hasMessage(file + ": bucket 'key' holds a 16-byte key; etcd revisions are at least 17 bytes:"
              + " not an etcd snapshot");
    }
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0 B", "9, 9 B", "10, 10 B", "999, 999 B", "1000, 1.0 kB", "1500, 1.5 kB", "880640, 881 kB",
    "995328, 995 kB", "1379618816, 1.4 GB", "8589934592, 8.6 GB", "12345678901234, 12 TB"
  })
  void sizesAreHumanizedLikeEtcdctl(long bytes, String shown) {
    assertThat(TextTable.humanBytes(bytes)).isEqualTo(shown);
  }

  @Test
  void jacksonWritesTheSameFieldsInTheSameOrder() throws IOException {
    ObjectMapper json = new ObjectMapper();
    for (SnapshotStatus status : new SnapshotStatus[] {new SnapshotStatus(4294967295L, 9_000_000_000L, 3, 28672),
        new SnapshotStatus(4294967295L, 9_000_000_000L, 3, 28672, "3.6.0"),
        new SnapshotStatus(1, 2, 3, 4, "")}) {
      assertThat(json.writeValueAsString(status)).isEqualTo(status.toJson());
    }
  }

  @Test
  void simpleFormatMatchesEtcdctlsCommaSeparatedLine() {
    assertThat(StatusTable.simple(new SnapshotStatus(3625982087L, 141, 2356, 880640)))
        .isEqualTo("d8201887, 141, 2356, 881 kB");
  }

  @ParameterizedTest
  @EnumSource(StatusSemantics.class)
  void eachSemanticsHasTheFlagItIsNamedBy(StatusSemantics semantics) {
    assertThat(StatusSemantics.ofFlag(semantics.flag())).contains(semantics);
  }

  private long liveKeys(EtcdHistory history) throws IOException {
    return status(history, StatusSemantics.ETCD_36).totalKey();
  }

  private long pairs(EtcdHistory history) throws IOException {
    return status(history, StatusSemantics.ETCD_35).totalKey();
  }

  private SnapshotStatus status(EtcdHistory history, StatusSemantics semantics) throws IOException {
    Path file = Files.createTempFile(tmp, "history", ".db");
    Files.delete(file);
    return SnapshotStatus.of(history.write(file).path(), semantics);
  }

  private static StatusSemantics semantics(String flag) {
    return StatusSemantics.ofFlag(flag).orElseThrow();
  }
}
