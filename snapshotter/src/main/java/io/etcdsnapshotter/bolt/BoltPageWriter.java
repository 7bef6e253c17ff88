package io.etcdsnapshotter.bolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes bbolt pages (format version 2, little-endian) and appends them to the file from page 2 on, in order,
 * so the file grows to exactly pgid * pageSize. The two meta pages are written last, at offset 0.
 */
final class BoltPageWriter {
  static final int PAGE_HEADER = 16;
  static final int ELEMENT = 16;
  private static final short BRANCH = 0x01;
  private static final short LEAF = 0x02;
  private static final short META = 0x04;
  private static final int MAGIC = 0xED0CDAED;
  private static final int VERSION = 2;
  private static final long NO_FREELIST = -1L;
  private static final int BUFFER = 1 << 20;
  private static final byte[] ZEROS = new byte[4096];

  private final FileChannel channel;
  private final int pageSize;
  private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
  private long nextPgid = 2;

  BoltPageWriter(FileChannel channel, int pageSize) {
    this.channel = channel;
    this.pageSize = pageSize;
  }

  int pageSize() {
    return pageSize;
  }

  long pageCount() {
    return nextPgid;
  }

  /** Appends a leaf page (with overflow pages when its elements exceed a page) and returns its id. */
  long writeLeaf(Leaf leaf, int elementFlags) throws IOException {
    ByteBuffer page = filePage(LEAF, leaf.count(), leaf.size());
    leaf.fill(page, elementFlags);
    return append(page);
  }

  /** The page image of an inline bucket: id 0, no padding. */
  static byte[] inlineLeaf(Leaf leaf) {
    ByteBuffer page = header(ByteBuffer.allocate(leaf.size()).order(ByteOrder.LITTLE_ENDIAN), 0, LEAF,
        leaf.count(), 1);
    leaf.fill(page, 0);
    return page.array();
  }

  long writeBranch(List<byte[]> keys, List<Long> children) throws IOException {
    int size = PAGE_HEADER + ELEMENT * keys.size() + keys.stream().mapToInt(k -> k.length).sum();
    ByteBuffer page = filePage(BRANCH, keys.size(), size);
    int data = PAGE_HEADER + ELEMENT * keys.size();
    for (int i = 0; i < keys.size(); i++) {
      int element = PAGE_HEADER + ELEMENT * i;
      page.putInt(element, data - element).putInt(element + 4, keys.get(i).length).putLong(element + 8, children.get(i));
      page.put(data, keys.get(i));
      data += keys.get(i).length;
    }
    return append(page);
  }

  /** Writes both meta pages (txids 2 and 3, each on page txid % 2) after flushing every other page, then fsyncs. */
  void finish(long rootPgid) throws IOException {
    flush();
    for (int txid = 2; txid <= 3; txid++) {
      ByteBuffer meta = header(ByteBuffer.allocate(pageSize).order(ByteOrder.LITTLE_ENDIAN), txid % 2, META, 0, 1);
      meta.putInt(16, MAGIC).putInt(20, VERSION).putInt(24, pageSize).putInt(28, 0)
          .putLong(32, rootPgid).putLong(40, 0).putLong(48, NO_FREELIST).putLong(56, nextPgid).putLong(64, txid);
      meta.putLong(72, fnv1a64(meta, 16, 56));
      writeAt(meta, (long) (txid % 2) * pageSize);
    }
    channel.force(true);
  }

  /**
   * Space for the next page of the file, zeroed and with its header, padded to whole pages: a slice of the output
   * buffer (no garbage per page on multi-GiB files), or its own buffer when it is bigger than the output buffer.
   */
  private ByteBuffer filePage(short flags, int count, int size) throws IOException {
    int pages = Math.max(1, (size + pageSize - 1) / pageSize);
    int bytes = pages * pageSize;
    if (bytes > out.capacity()) {
      return header(ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN), nextPgid, flags, count, pages);
    }
    if (bytes > out.remaining()) {
      flush();
    }
    ByteBuffer page = out.slice(out.position(), bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int at = 0; at < bytes; at += ZEROS.length) {
      page.put(at, ZEROS, 0, Math.min(ZEROS.length, bytes - at));
    }
    return header(page, nextPgid, flags, count, pages);
  }

  private static ByteBuffer header(ByteBuffer page, long pgid, short flags, int count, int pages) {
    return page.putLong(0, pgid).putShort(8, flags).putShort(10, (short) count).putInt(12, pages - 1);
  }

  /** Takes the page filePage handed out into the file; returns its id. */
  private long append(ByteBuffer page) throws IOException {
    long pgid = nextPgid;
    if (page.isDirect()) {
      out.position(out.position() + page.capacity());
    } else {
      flush();
      writeAt(page.position(0), pgid * pageSize);
    }
    nextPgid += page.capacity() / pageSize;
    return pgid;
  }

  /** The buffered pages are the last ones appended, so they end where the next page starts. */
  private void flush() throws IOException {
    long position = nextPgid * pageSize - out.position();
    out.flip();
    writeAt(out, position);
    out.clear();
  }

  private void writeAt(ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
  }

  private static long fnv1a64(ByteBuffer buffer, int from, int length) {
    long hash = 0xcbf29ce484222325L;
    for (int i = from; i < from + length; i++) {
      hash ^= buffer.get(i) & 0xFF;
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  /**
   * The elements of the leaf under construction, copied into one reusable array: no allocation per key, however
   * many keys a bucket has. It also remembers the last key across leaves, to refuse keys out of order.
   */
  static final class Leaf {
    private byte[] data = new byte[8192];
    private int[] ends = new int[128];
    private int count;
    private int used;
    private byte[] lastKey = new byte[0];

    int count() {
      return count;
    }

    /** Page header, elements and data: the leaf's size in a page. */
    int size() {
      return PAGE_HEADER + ELEMENT * count + used;
    }

    void add(ByteBuffer key, ByteBuffer value) {
      int keyLength = key.remaining();
      int valueLength = value.remaining();
      ensure(keyLength + valueLength);
      key.duplicate().get(data, used, keyLength);
      boolean increasing = count > 0
          ? Arrays.compareUnsigned(data, keyStart(count - 1), keyEnd(count - 1), data, used, used + keyLength) < 0
          : Arrays.compareUnsigned(lastKey, 0, lastKey.length, data, used, used + keyLength) < 0;
      if (keyLength == 0 || !increasing) {
        throw new IllegalArgumentException("bbolt keys must be non-empty and strictly increasing");
      }
      value.duplicate().get(data, used + keyLength, valueLength);
      ends[2 * count] = used + keyLength;
      used += keyLength + valueLength;
      ends[2 * count + 1] = used;
      count++;
    }

    /** A copy of the first key: the separator for this leaf in its parent (empty for an empty leaf). */
    byte[] firstKey() {
      return count == 0 ? new byte[0] : Arrays.copyOfRange(data, 0, keyEnd(0));
    }

    void clear() {
      if (count > 0) {
        lastKey = Arrays.copyOfRange(data, keyStart(count - 1), keyEnd(count - 1));
      }
      count = 0;
      used = 0;
    }

    void fill(ByteBuffer page, int flags) {
      int base = PAGE_HEADER + ELEMENT * count;
      for (int i = 0; i < count; i++) {
        int element = PAGE_HEADER + ELEMENT * i;
        int keyStart = keyStart(i);
        int keyLength = keyEnd(i) - keyStart;
        page.putInt(element, flags).putInt(element + 4, base + keyStart - element).putInt(element + 8, keyLength)
            .putInt(element + 12, ends[2 * i + 1] - keyEnd(i));
      }
      page.put(base, data, 0, used);
    }

    private int keyStart(int i) {
      return i == 0 ? 0 : ends[2 * i - 1];
    }

    private int keyEnd(int i) {
      return ends[2 * i];
    }

    private void ensure(int bytes) {
      if (used + bytes > data.length) {
        data = Arrays.copyOf(data, Math.max(2 * data.length, used + bytes));
      }
      if (2 * count + 2 > ends.length) {
        ends = Arrays.copyOf(ends, 2 * ends.length);
      }
    }
  }
}
