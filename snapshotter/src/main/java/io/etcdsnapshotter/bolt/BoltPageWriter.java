package io.etcdsnapshotter.bolt;

import io.etcdsnapshotter.files.BackgroundFlush;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Encodes bbolt pages (format version 2, little-endian, in the layout {@link Page} and {@link MetaPage} define) and
 * appends them to the file in order from a first page on, so the file grows to exactly pgid * pageSize. The two
 * meta pages are written last, at offset 0. What is written is flushed to disk in the background as it grows.
 */
final class BoltPageWriter {
  private static final int BUFFER = 1 << 20;
  private static final byte[] ZEROS = new byte[4096];

  private final FileChannel channel;
  private final int pageSize;
  private final BackgroundFlush flush;
  private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
  private long nextPgid;

  /** @param firstPgid the id of the first page to append: 2 in a new file, the high-water mark in a copy */
  BoltPageWriter(FileChannel channel, int pageSize, long firstPgid, BackgroundFlush flush) {
    this.channel = channel;
    this.pageSize = pageSize;
    this.nextPgid = firstPgid;
    this.flush = flush;
  }

  int pageSize() {
    return pageSize;
  }

  long pageCount() {
    return nextPgid;
  }

  /** Appends a leaf page (with overflow pages when its elements exceed a page) and returns its id. */
  long writeLeaf(Leaf leaf, int elementFlags) throws IOException {
    ByteBuffer page = filePage(Page.LEAF, leaf.count(), leaf.size());
    leaf.fill(page, elementFlags);
    return append(page);
  }

  /** The page image of an inline bucket: id 0, no padding. */
  static byte[] inlineLeaf(Leaf leaf) {
    ByteBuffer page = Page.putHeader(ByteBuffer.allocate(leaf.size()).order(ByteOrder.LITTLE_ENDIAN), 0, Page.LEAF,
        leaf.count(), 1);
    leaf.fill(page, 0);
    return page.array();
  }

  long writeBranch(List<byte[]> keys, List<Long> children) throws IOException {
    int size = Page.HEADER + Page.ELEMENT * keys.size() + keys.stream().mapToInt(k -> k.length).sum();
    ByteBuffer page = filePage(Page.BRANCH, keys.size(), size);
    int data = Page.HEADER + Page.ELEMENT * keys.size();
    for (int i = 0; i < keys.size(); i++) {
      Page.putBranchElement(page, i, data, keys.get(i).length, children.get(i));
      page.put(data, keys.get(i));
      data += keys.get(i).length;
    }
    return append(page);
  }

  /**
   * Writes the freelist, listing the pages below {@code freeBelow} that {@code free} accepts (with no freelist when
   * {@code free} is null), then both meta pages, each pointing at {@code rootPgid} (so neither leads back to an
   * older root), on page {@code txid % 2}, after flushing every other page. The caller fsyncs.
   */
  void finish(long rootPgid, long txid, long freeBelow, LongPredicate free) throws IOException {
    flush();
    long freelist = free == null ? MetaPage.NO_FREELIST : appendFreelist(freeBelow, free);
    flush.finish();
    for (long t = txid; t <= txid + 1; t++) {
      writeAt(MetaPage.encode(pageSize, rootPgid, freelist, nextPgid, t), (t % 2) * pageSize);
    }
  }

  /**
   * Appends the freelist page (and its overflow) listing the pages in [2, {@code below}) that {@code free} accepts,
   * ascending, streamed through the output buffer: memory stays at the buffer however many pages are free.
   */
  private long appendFreelist(long below, LongPredicate free) throws IOException {
    long count = 0;
    for (long p = 2; p < below; p++) {
      count += free.test(p) ? 1 : 0;
    }
    long pgid = nextPgid;
    long end = (pgid + FreelistPage.pages(count, pageSize)) * pageSize;
    long at = pgid * pageSize;
    out.put(FreelistPage.head(pgid, count, pageSize));
    for (long p = 2; p < below; p++) {
      if (free.test(p)) {
        at = out.remaining() < Long.BYTES ? drain(at) : at;
        out.putLong(p);
      }
    }
    while (at + out.position() < end) { // the rest of the last page: the file ends on a whole page
      at = out.hasRemaining() ? at : drain(at);
      out.put(ZEROS, 0, (int) Math.min(Math.min(out.remaining(), ZEROS.length), end - at - out.position()));
    }
    drain(at);
    nextPgid = end / pageSize;
    return pgid;
  }

  /** Writes the output buffer at {@code at}; returns where the next bytes go. */
  private long drain(long at) throws IOException {
    out.flip();
    long next = at + out.remaining();
    writeAt(out, at);
    out.clear();
    return next;
  }

  /**
   * Space for the next page of the file, zeroed and with its header, padded to whole pages: a slice of the output
   * buffer (no garbage per page on multi-GiB files), or its own buffer when it is bigger than the output buffer.
   */
  private ByteBuffer filePage(int flags, int count, int size) throws IOException {
    int pages = Math.max(1, (size + pageSize - 1) / pageSize);
    int bytes = pages * pageSize;
    if (bytes > out.capacity()) {
      return Page.putHeader(ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN), nextPgid, flags, count, pages);
    }
    if (bytes > out.remaining()) {
      flush();
    }
    ByteBuffer page = out.slice(out.position(), bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int at = 0; at < bytes; at += ZEROS.length) {
      page.put(at, ZEROS, 0, Math.min(ZEROS.length, bytes - at));
    }
    return Page.putHeader(page, nextPgid, flags, count, pages);
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
    long written = buffer.remaining();
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
    flush.written(written);
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
      return Page.HEADER + Page.ELEMENT * count + used;
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
      int base = Page.HEADER + Page.ELEMENT * count;
      for (int i = 0; i < count; i++) {
        Page.putLeafElement(page, i, flags, base + keyStart(i), keyEnd(i) - keyStart(i), ends[2 * i + 1] - keyEnd(i));
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
