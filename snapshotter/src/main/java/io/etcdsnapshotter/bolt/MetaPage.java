package io.etcdsnapshotter.bolt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One of the two meta pages. {@code problem} is null when bbolt would accept it (magic, version and FNV-1a checksum;
 * like bbolt, a zero checksum is not checked), otherwise it says why not.
 */
public record MetaPage(
    int number, String problem, int pageSize, long root, long freelist, long pageCount, long txid) {
  /** The freelist field of a db written with NoFreelistSync (etcd on Linux): no freelist page is kept. */
  public static final long NO_FREELIST = -1L;

  static final int OFFSET = 16;
  static final int LENGTH = 64;
  private static final int MAGIC = 0xED0CDAED;
  private static final int VERSION = 2;
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  public boolean valid() {
    return problem == null;
  }

  static MetaPage missing(int number, String why) {
    return new MetaPage(number, why, 0, 0, 0, 0, 0);
  }

  /**
   * A whole meta page, page {@code txid % 2}, as bbolt writes it: magic, version 2, the page size, no flags, the
   * root bucket's page with sequence 0, the freelist page, the high-water mark and the txid, then the FNV-1a checksum.
   */
  static ByteBuffer encode(int pageSize, long root, long freelist, long pageCount, long txid) {
    ByteBuffer page = Page.putHeader(ByteBuffer.allocate(pageSize).order(ByteOrder.LITTLE_ENDIAN), txid % 2,
        Page.META, 0, 1);
    page.putInt(OFFSET, MAGIC).putInt(OFFSET + 4, VERSION).putInt(OFFSET + 8, pageSize).putInt(OFFSET + 12, 0)
        .putLong(OFFSET + 16, root).putLong(OFFSET + 24, 0).putLong(OFFSET + 32, freelist)
        .putLong(OFFSET + 40, pageCount).putLong(OFFSET + 48, txid);
    return page.putLong(OFFSET + 56, fnv1a(page));
  }

  /** Parses the meta block that starts {@link #OFFSET} bytes into {@code page} (at least OFFSET + LENGTH bytes). */
  static MetaPage parse(int number, ByteBuffer page) {
    ByteBuffer b = page.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int magic = b.getInt(OFFSET);
    int version = b.getInt(OFFSET + 4);
    long stored = b.getLong(OFFSET + 56);
    long computed = fnv1a(b);
    String problem = null;
    if (magic != MAGIC) {
      problem = String.format("bad magic 0x%08x (expected 0x%08x)", magic, MAGIC);
    } else if (version != VERSION) {
      problem = "unsupported bbolt format version " + Integer.toUnsignedString(version) + " (expected 2)";
    } else if (stored != 0 && stored != computed) {
      problem = String.format("checksum mismatch (stored %016x, computed %016x)", stored, computed);
    }
    return new MetaPage(number, problem, b.getInt(OFFSET + 8), b.getLong(OFFSET + 16), b.getLong(OFFSET + 32),
        b.getLong(OFFSET + 40), b.getLong(OFFSET + 48));
  }

  private static long fnv1a(ByteBuffer b) {
    long hash = FNV_OFFSET;
    for (int i = OFFSET; i < OFFSET + 56; i++) {
      hash = (hash ^ (b.get(i) & 0xff)) * FNV_PRIME;
    }
    return hash;
  }

  /** "page N valid (txid T)" or "page N invalid: why", for reports. */
  public String describe() {
    if (!valid()) {
      return "page " + number + " invalid: " + problem;
    }
    return "page " + number + " valid (txid " + Long.toUnsignedString(txid) + ")";
  }
}
