package io.etcdsnapshotter.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FingerprintSetTest {

  /** Random adds and removes against HashSet as the model, over few homes so runs collide and wrap around. */
  @Test
  void behavesLikeASetUnderCollidingAddsAndRemoves() {
    Random random = new Random(42);
    FingerprintSet set = new FingerprintSet();
    Set<List<Long>> model = new HashSet<>();
    for (int i = 0; i < 200_000; i++) {
      // 2 segments and 16 homes (top bits of low), the last one at the table's end: long runs that wrap
      // around, and many exact duplicates. (0, 0) is left to the test below, since it is stored as (0, 1).
      long high = (random.nextInt(2) * 1L << 63) | random.nextInt(4);
      long low = ((long) random.nextInt(16) << 60) | (random.nextInt(64) == 0 ? -1L >>> 4 : 2 + random.nextInt(50));
      boolean add = model.size() < 3_000 && random.nextInt(3) > 0;
      List<Long> fingerprint = List.of(high, low);
      if (add) {
        assertThat(set.add(high, low)).isEqualTo(model.add(fingerprint));
      } else {
        assertThat(set.remove(high, low)).isEqualTo(model.remove(fingerprint));
      }
      assertThat(set.size()).isEqualTo(model.size());
    }
    for (List<Long> fingerprint : model) {
      assertThat(set.add(fingerprint.get(0), fingerprint.get(1))).as("still there: %s", fingerprint).isFalse();
    }
  }

  @Test
  void theEmptyMarkerIsAFingerprintLikeAnyOther() {
    FingerprintSet set = new FingerprintSet();
    assertThat(set.add(0, 0)).isTrue();
    assertThat(set.add(0, 0)).isFalse();
    assertThat(set.size()).isOne();
    assertThat(set.remove(0, 0)).isTrue();
    assertThat(set.remove(0, 0)).isFalse();
    assertThat(set.size()).isZero();
  }

  /**
   * The point of the class: two million keys in a fraction of a 128 MiB heap (a HashSet of their Strings needs
   * several hundred MiB). 16-byte slots at 53-80% load: 20-30 bytes per key.
   */
  @Test
  void twoMillionKeysTakeUnderSixtyMebibytes() {
    FingerprintSet set = new FingerprintSet();
    Random random = new Random(7);
    int keys = 2_000_000;
    for (int i = 0; i < keys; i++) {
      set.add(random.nextLong(), random.nextLong());
    }
    assertThat(set.size()).isEqualTo(keys);
    assertThat(set.tableBytes()).isLessThan(60L << 20).isGreaterThan(16L * keys);
  }
}
