package io.etcdsnapshotter.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fingerprints are Guava's murmur3_128, whatever the key's length, buffer kind, byte order and place in it. */
class KeyFingerprintTest {
  @Test
  void equalsGuavasMurmur3ForEveryTailLength() {
    Random random = new Random(11);
    KeyFingerprint fingerprint = new KeyFingerprint();
    for (int length = 0; length <= 80; length++) {
      byte[] key = new byte[length];
      random.nextBytes(key);
      ByteBuffer guava = ByteBuffer.wrap(Hashing.murmur3_128().hashBytes(key).asBytes()).order(ByteOrder.LITTLE_ENDIAN);
      for (ByteBuffer page : pagesHolding(key, random)) {
        ByteBuffer view = page.slice(7, length);
        fingerprint.of(view);
        assertThat(fingerprint.high()).as("length %d in %s", length, page).isEqualTo(guava.getLong(0));
        assertThat(fingerprint.low()).as("length %d in %s", length, page).isEqualTo(guava.getLong(8));
        assertThat(view.position()).isZero();
      }
    }
  }

  /** The key at offset 7 of a heap and a direct page, each in both byte orders, with other bytes around it. */
  private static ByteBuffer[] pagesHolding(byte[] key, Random random) {
    byte[] around = new byte[key.length + 20];
    random.nextBytes(around);
    System.arraycopy(key, 0, around, 7, key.length);
    ByteBuffer heap = ByteBuffer.wrap(around);
    ByteBuffer direct = ByteBuffer.allocateDirect(around.length).put(around).clear();
    return new ByteBuffer[] {heap, heap.duplicate().order(ByteOrder.LITTLE_ENDIAN), direct,
        direct.duplicate().order(ByteOrder.LITTLE_ENDIAN)};
  }
}
