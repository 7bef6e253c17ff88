package io.etcdsnapshotter.bolt;

import java.util.HashMap;
import java.util.Map;

/**
 * A set of page ids, one bit per page in chunks allocated as pages are added: memory follows the pages a walk
 * actually reads, never the page count a header claims (a sparse file can claim billions of pages with valid meta
 * pages and a tiny tree).
 */
final class PageSet {
  /** 4096 pages per chunk: 512 bytes of bits for 16 MiB of 4 KiB pages. */
  private static final int CHUNK_SHIFT = 12;
  private static final int WORDS = 1 << (CHUNK_SHIFT - 6);

  private final Map<Long, long[]> chunks = new HashMap<>();
  /** The chunk used last: walks and the freelist check move through neighbouring pages. */
  private long lastIndex = -1;
  private long[] last;
  private long size;

  /** Adds the page and returns false if it was already there. */
  boolean add(long pgid) {
    long[] chunk = chunk(pgid, true);
    int word = word(pgid);
    long mask = 1L << pgid;
    if ((chunk[word] & mask) != 0) {
      return false;
    }
    chunk[word] |= mask;
    size++;
    return true;
  }

  boolean contains(long pgid) {
    long[] chunk = chunk(pgid, false);
    return chunk != null && (chunk[word(pgid)] & (1L << pgid)) != 0;
  }

  long size() {
    return size;
  }

  private long[] chunk(long pgid, boolean create) {
    long index = pgid >>> CHUNK_SHIFT;
    if (index != lastIndex) {
      long[] chunk = create ? chunks.computeIfAbsent(index, i -> new long[WORDS]) : chunks.get(index);
      if (chunk == null) {
        return null;
      }
      lastIndex = index;
      last = chunk;
    }
    return last;
  }

  private static int word(long pgid) {
    return (int) (pgid >>> 6) & (WORDS - 1);
  }
}
