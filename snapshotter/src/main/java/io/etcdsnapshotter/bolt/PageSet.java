package io.etcdsnapshotter.bolt;

/** A set of page ids below the high-water mark; flat memory of one bit per page. */
final class PageSet {
  private final long[] bits;
  private long size;

  PageSet(long pageCount) {
    bits = new long[(int) ((pageCount + 63) >>> 6)];
  }

  /** Adds the page and returns false if it was already there. */
  boolean add(long pgid) {
    int word = (int) (pgid >>> 6);
    long mask = 1L << pgid;
    if ((bits[word] & mask) != 0) {
      return false;
    }
    bits[word] |= mask;
    size++;
    return true;
  }

  boolean contains(long pgid) {
    return (bits[(int) (pgid >>> 6)] & (1L << pgid)) != 0;
  }

  long size() {
    return size;
  }
}
