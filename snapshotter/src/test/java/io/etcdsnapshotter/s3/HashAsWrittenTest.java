package io.etcdsnapshotter.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdsnapshotter.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashAsWrittenTest {
  @TempDir Path dir;

  /** Two whole parts and a short third, written in pieces that straddle the parts' ends. */
  @Test
  void theHashesTakenWhileAFileIsWrittenAreThoseOfItsBytesAndOfEachPartOfItsUpload() throws IOException {
    byte[] bytes = new byte[(int) (2 * PartHashes.PART_SIZE + 12_345)];
    new Random(7).nextBytes(bytes);
    Path file = dir.resolve("snapshot.db.part");
    PartHashes hashes;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        HashAsWritten hashing = HashAsWritten.follow(file)) {
      GatheringByteChannel out = hashing.counting(channel);
      Random sizes = new Random(11);
      for (int at = 0; at < bytes.length; ) {
        int n = Math.min(bytes.length - at, 1 + sizes.nextInt(3 << 20));
        out.write(new ByteBuffer[] {ByteBuffer.wrap(bytes, at, n / 2), ByteBuffer.wrap(bytes, at + n / 2, n - n / 2)});
        at += n;
      }
      hashing.whole();
      hashes = hashing.await();
    }
    assertThat(hashes.sha256()).isEqualTo(sha256Hex(bytes, 0, bytes.length));
    assertThat(hashes.count()).isEqualTo(3);
    for (int part = 1; part <= 3; part++) {
      int from = (int) ((part - 1) * PartHashes.PART_SIZE);
      int to = (int) Math.min(bytes.length, part * PartHashes.PART_SIZE);
      assertThat(hashes.sha256Base64(part)).isEqualTo(Base64.getEncoder().encodeToString(
          Sha256.digest().digest(Arrays.copyOfRange(bytes, from, to))));
    }
    assertThat(FileParts.hashed(file, hashes).length(3)).isEqualTo(12_345);
  }

  @Test
  void aFileThatChangedInSizeSinceItWasHashedIsNotUploaded() throws IOException {
    Path file = dir.resolve("snapshot.db");
    Files.write(file, new byte[100]);
    PartHashes hashes = FileParts.read(file).hashes();
    Files.write(file, new byte[1], StandardOpenOption.APPEND);
    assertThatThrownBy(() -> FileParts.hashed(file, hashes)).isInstanceOf(IOException.class)
        .hasMessage(file + " holds 101 bytes, not the 100 it held when it was written: it changed since; upload it"
            + " again once nothing writes it");
  }

  @Test
  void aFileThatWasNeverMadeWholeStopsBeingHashed() throws IOException {
    Path file = dir.resolve("failed.part");
    Files.write(file, new byte[10]);
    HashAsWritten hashing = HashAsWritten.follow(file);
    hashing.close();
    assertThatThrownBy(hashing::await).isInstanceOf(CancellationException.class);
  }

  private static String sha256Hex(byte[] bytes, int from, int to) {
    return HexFormat.of().formatHex(Sha256.digest().digest(Arrays.copyOfRange(bytes, from, to)));
  }
}
