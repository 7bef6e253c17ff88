package io.etcdsnapshotter.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrailerDigestTest {
  private final byte[] db = new Random(7).ints(100_000, 0, 256).collect(
      () -> new java.io.ByteArrayOutputStream(), (o, i) -> o.write(i), (a, b) -> {}).toByteArray();

  @Test
  void acceptsEtcdsTrailerWhateverTheChunking() throws Exception {
    byte[] stream = withTrailer(db);
    for (int chunk : new int[] {1, 7, 31, 32, 33, 4096, stream.length}) {
      TrailerDigest digest = feed(stream, chunk);
      assertThat(digest.verify()).isEqualTo(HexFormat.of().formatHex(sha256(db)));
      assertThat(digest.total()).isEqualTo(stream.length);
    }
  }

  @Test
  void rejectsAFlippedByte() {
    byte[] stream = withTrailer(db);
    stream[5000] ^= 1;
    assertThatThrownBy(() -> feed(stream, 4096).verify()).hasMessageContaining("SHA-256 mismatch");
  }

  @Test
  void rejectsAStreamCutBeforeTheTrailer() {
    assertThatThrownBy(() -> feed(new byte[20], 8).verify()).hasMessageContaining("before etcd's SHA-256 trailer");
  }

  @Test
  void rejectsAStreamWithoutTrailer() {
    assertThatThrownBy(() -> feed(db, 4096).verify()).isInstanceOf(IOException.class);
  }

  private static TrailerDigest feed(byte[] stream, int chunk) {
    TrailerDigest digest = new TrailerDigest();
    for (int i = 0; i < stream.length; i += chunk) {
      digest.update(ByteBuffer.wrap(stream, i, Math.min(chunk, stream.length - i)));
    }
    return digest;
  }

  private static byte[] withTrailer(byte[] data) {
    byte[] stream = Arrays.copyOf(data, data.length + 32);
    System.arraycopy(sha256(data), 0, stream, data.length, 32);
    return stream;
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
