package io.etcdsnapshotter.bolt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The 16-byte value of a bucket element: {@code u64 root, u64 sequence}; root 0 means the bucket is inline. */
final class BucketHeader {
  static final int SIZE = 16;

  private BucketHeader() {}

  /** The value of a bucket whose tree starts at page {@code root}. */
  static byte[] ofRoot(long root, long sequence) {
    return ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN).putLong(0, root).putLong(8, sequence).array();
  }

  /** The value of an inline bucket: root 0, sequence 0, then the image of its only leaf. */
  static byte[] inline(byte[] leafImage) {
    return ByteBuffer.allocate(SIZE + leafImage.length).put(SIZE, leafImage).array();
  }

  /** The bucket's sequence ({@code NextSequence}'s counter). */
  static long sequence(Page page, int i) throws BoltFormatException {
    root(page, i);
    return page.buf.getLong(page.valueOffset(i) + 8);
  }

  /** Every top-level key of a bbolt file names a bucket. */
  static void requireBucket(Page page, int i) throws BoltFormatException {
    if (!page.isBucket(i)) {
      throw page.corrupt("key " + page.show(i) + " is not a bucket (its element lacks the bucket flag)");
    }
  }

  /** The bucket's root page, or 0 for an inline bucket. */
  static long root(Page page, int i) throws BoltFormatException {
    requireBucket(page, i);
    if (page.valueLength(i) < SIZE) {
      throw page.corrupt("bucket " + page.show(i) + " has a " + page.valueLength(i)
          + "-byte header (expected at least " + SIZE + ")");
    }
    return page.buf.getLong(page.valueOffset(i));
  }
}
