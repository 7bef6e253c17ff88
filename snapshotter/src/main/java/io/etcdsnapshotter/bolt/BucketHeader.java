package io.etcdsnapshotter.bolt;

/** The 16-byte value of a bucket element: {@code u64 root, u64 sequence}; root 0 means the bucket is inline. */
final class BucketHeader {
  static final int SIZE = 16;

  private BucketHeader() {}

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
