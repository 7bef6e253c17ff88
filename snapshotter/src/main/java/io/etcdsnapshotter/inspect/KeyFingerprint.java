package io.etcdsnapshotter.inspect;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 128-bit MurmurHash3 (x64 variant, seed 0) of a key, as Guava's {@code murmur3_128} computes it, read straight
 * from the page buffer: Guava's streaming hasher allocated a hasher, a buffer and two arrays per key, which cost a
 * snapshot's read-back more than counting the keys did. One instance is reused for every key of a scan; the result is
 * {@link #high()} (the first eight bytes of Guava's hash, little-endian) and {@link #low()} (the last eight).
 */
final class KeyFingerprint {
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private long high;
  private long low;

  /** Hashes the bytes between {@code key}'s position and limit, leaving both as they were. */
  void of(ByteBuffer in) {
    int start = in.position();
    int length = in.remaining();
    long h1 = 0;
    long h2 = 0;
    int at = start;
    for (int end = start + (length & ~15); at < end; at += 16) {
      h1 ^= mixK1(littleEndian(in, at));
      h1 = Long.rotateLeft(h1, 27) + h2;
      h1 = h1 * 5 + 0x52dce729;
      h2 ^= mixK2(littleEndian(in, at + 8));
      h2 = Long.rotateLeft(h2, 31) + h1;
      h2 = h2 * 5 + 0x38495ab5;
    }
    int rest = length & 15;
    if (rest > 8) {
      h2 ^= mixK2(tail(in, at + 8, rest - 8));
    }
    if (rest > 0) {
      h1 ^= mixK1(tail(in, at, Math.min(rest, 8)));
    }
    h1 ^= length;
    h2 ^= length;
    h1 += h2;
    h2 += h1;
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 += h2;
    h2 += h1;
    high = h1;
    low = h2;
  }

  long high() {
    return high;
  }

  long low() {
    return low;
  }

  private static long littleEndian(ByteBuffer in, int at) {
    long k = in.getLong(at);
    return in.order() == ByteOrder.LITTLE_ENDIAN ? k : Long.reverseBytes(k);
  }

  /** Up to eight bytes at {@code at}, the first one lowest. */
  private static long tail(ByteBuffer in, int at, int count) {
    long k = 0;
    for (int i = count - 1; i >= 0; i--) {
      k = k << 8 | (in.get(at + i) & 0xffL);
    }
    return k;
  }

  private static long mixK1(long k1) {
    return Long.rotateLeft(k1 * C1, 31) * C2;
  }

  private static long mixK2(long k2) {
    return Long.rotateLeft(k2 * C2, 33) * C1;
  }

  private static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
