package io.etcdsnapshotter.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdsnapshotter.bolt.BoltFormatException;
import io.etcdsnapshotter.bolt.SnapshotFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

class VerifierTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void aSnapshotFromEtcdIsSound(String version) throws IOException {
    Verification v = Verifier.verify(SnapshotFixtures.snapshot(version));
    assertThat(v.trailer().present()).isTrue();
    assertThat(v.trailer().matches()).isTrue();
    // verify counts pairs (3.5 semantics) for every file; hash, revision and size are the same in both.
    JsonNode etcd = new ObjectMapper().readTree(SnapshotFixtures.statusJson(version));
    assertThat(v.status().hash()).isEqualTo(etcd.path("hash").asLong());
    assertThat(v.status().revision()).isEqualTo(etcd.path("revision").asLong());
    assertThat(v.status().totalSize()).isEqualTo(etcd.path("totalSize").asLong());
    assertThat(v.scan().reachablePages() + v.scan().freePages() + 2).isEqualTo(v.pageCount());
    assertThat(String.join("\n", v.summary())).contains(": OK", "sha256    ok (", "10 buckets",
        "revision " + v.status().revision());
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void aDbWithoutTrailerIsSoundButSaysItHasNoTrailer(String version) throws IOException {
    Path db = SnapshotFixtures.write(tmp, "db", SnapshotFixtures.db(version));
    Verification v = Verifier.verify(db);
    assertThat(v.trailer().present()).isFalse();
    assertThat(v.summary().get(1)).contains("no integrity trailer");
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void aFlippedByteInAValueIsASha256Mismatch(String version) throws IOException {
    byte[] file = SnapshotFixtures.bytes(version);
    file[SnapshotFixtures.indexOf(file, "after-compaction-5")] ^= 0x01;
    Path damaged = SnapshotFixtures.write(tmp, "snap.db", file);
    assertThatThrownBy(() -> Verifier.verify(damaged))
        .isInstanceOf(IntegrityException.class)
        .hasMessageStartingWith(damaged + ": SHA-256 mismatch: the trailer says ")
        .hasMessageNotContaining("\n");
  }

  @ParameterizedTest
  @CsvSource({"3.4, 0", "3.4, 1", "3.5, 0", "3.5, 1"})
  void aFlippedByteInAMetaPageIsAChecksumError(String version, int meta) throws IOException {
    byte[] file = SnapshotFixtures.bytes(version);
    file[meta * SnapshotFixtures.PAGE + 16 + 48] ^= 0x40; // the meta's txid
    Path damaged = SnapshotFixtures.write(tmp, "snap.db", file);
    assertThatThrownBy(() -> Verifier.verify(damaged))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("meta page " + meta + " invalid: checksum mismatch")
        .hasMessageNotContaining("\n");
    // bbolt (and so etcdctl status) would still read the file through the other meta page.
    assertThat(SnapshotStatus.of(damaged).toJson()).isEqualTo(SnapshotFixtures.statusJson(version));
  }

  @Test
  void twoBadMetaPagesMakeTheFileUnreadable() throws IOException {
    byte[] file = SnapshotFixtures.bytes("3.4");
    file[16 + 48] ^= 0x01;
    file[SnapshotFixtures.PAGE + 16] ^= 0x01;
    Path damaged = SnapshotFixtures.write(tmp, "snap.db", file);
    assertThatThrownBy(() -> SnapshotStatus.of(damaged))
        .isInstanceOf(BoltFormatException.class)
        .hasMessageStartingWith(damaged + ": not a bbolt database: no valid meta page (meta page 0: checksum mismatch");
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void aTruncatedFileIsReportedAsTruncated(String version) throws IOException {
    byte[] file = SnapshotFixtures.bytes(version);
    Path cut = SnapshotFixtures.write(tmp, "cut.db", Arrays.copyOf(file, file.length / 2));
    assertThatThrownBy(() -> Verifier.verify(cut))
        .isInstanceOf(BoltFormatException.class)
        .hasMessageContaining("the file is truncated: it has " + file.length / 2 + " bytes");
  }

  @Test
  void anEmptyFileIsNotASnapshot() throws IOException {
    Path empty = Files.createFile(tmp.resolve("empty.db"));
    assertThatThrownBy(() -> Verifier.verify(empty))
        .isInstanceOf(BoltFormatException.class)
        .hasMessage(empty + " is empty (0 bytes): not an etcd snapshot");
  }

  @Test
  void randomBytesAreNotABboltDatabase() throws IOException {
    byte[] noise = new byte[100_000];
    new Random(7).nextBytes(noise);
    Path random = SnapshotFixtures.write(tmp, "random.db", noise);
    assertThatThrownBy(() -> Verifier.verify(random))
        .isInstanceOf(BoltFormatException.class)
        .hasMessageStartingWith(random + ": not a bbolt database: no valid meta page (meta page 0: bad magic");
  }

  @Test
  void aDirectoryIsNotASnapshot() {
    assertThatThrownBy(() -> Verifier.verify(tmp))
        .isInstanceOf(IOException.class)
        .hasMessage(tmp + " is a directory, not a snapshot file");
  }

  @Test
  void aFifoIsRefusedRatherThanWaitedOn() throws Exception {
    Path fifo = tmp.resolve("fifo.db");
    assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo is available");
    assertThatThrownBy(() -> Verifier.verify(fifo))
        .isInstanceOf(IOException.class)
        .hasMessage(fifo + " is not a regular file, so not a snapshot file");
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = tmp.resolve("nope.db");
    assertThatThrownBy(() -> Verifier.verify(missing))
        .isInstanceOf(IOException.class)
        .hasMessage(missing + ": no such file");
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void aStructuralProblemBehindAMatchingTrailerIsStillFound(String version) throws Exception {
    byte[] db = SnapshotFixtures.db(version);
    long root = SnapshotFixtures.bucketRoot(db, "key");
    SnapshotFixtures.littleEndian(db).putShort((int) (root * SnapshotFixtures.PAGE + 8), (short) 0x10);
    byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(db);
    byte[] file = Arrays.copyOf(db, db.length + SnapshotFixtures.TRAILER);
    System.arraycopy(digest, 0, file, db.length, digest.length);
    Path damaged = SnapshotFixtures.write(tmp, "snap.db", file);
    assertThatThrownBy(() -> Verifier.verify(damaged))
        .isInstanceOf(BoltFormatException.class)
        .hasMessage(damaged + ": page " + root + " (offset " + root * SnapshotFixtures.PAGE
            + "): flags 0x10 where a branch or leaf page belongs");
  }
}
