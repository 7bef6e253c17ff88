package io.etcdsnapshotter.bolt;

import io.etcdsnapshotter.files.ReadOnlyFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds the page size and the meta page in use the way bbolt does when it opens a file: meta page 0 gives the page
 * size if valid, otherwise meta page 1 is probed at 1 KiB &lt;&lt; i; the valid meta with the larger txid wins.
 */
record MetaSelection(int pageSize, MetaPage inUse, List<MetaPage> both) {
  private static final int MIN_PAGE_SIZE = 1024;
  private static final int PROBES = 15;
  private static final int META_END = MetaPage.OFFSET + MetaPage.LENGTH;

  static MetaSelection read(ReadOnlyFile file, Path path, long size) throws IOException {
    if (size == 0) {
      throw new BoltFormatException(path + " is empty (0 bytes): not an etcd snapshot");
    }
    if (size < META_END) {
      throw new BoltFormatException(path + " is too short (" + size + " bytes) to be an etcd snapshot");
    }
    MetaPage meta0 = MetaPage.parse(0, readAt(file, 0));
    if (meta0.valid() && !supported(meta0.pageSize())) {
      meta0 = invalid(meta0, "unsupported page size " + Integer.toUnsignedString(meta0.pageSize()));
    }
    int pageSize = meta0.valid() ? meta0.pageSize() : probePageSize(file, size);
    if (pageSize == 0) {
      throw new BoltFormatException(path + ": not a bbolt database: no valid meta page (meta page 0: "
          + meta0.problem() + ")");
    }
    MetaPage meta1 = size < pageSize + (long) META_END
        ? MetaPage.missing(1, "the file ends before it")
        : MetaPage.parse(1, readAt(file, pageSize));
    if (meta1.valid() && meta1.pageSize() != pageSize) {
      meta1 = invalid(meta1, "page size " + meta1.pageSize() + " differs from the file's " + pageSize);
    }
    MetaPage newer = Long.compareUnsigned(meta1.txid(), meta0.txid()) > 0 ? meta1 : meta0;
    MetaPage older = newer == meta0 ? meta1 : meta0;
    MetaPage inUse = newer.valid() ? newer : older;
    if (!inUse.valid()) {
      throw new BoltFormatException(path + ": neither meta page is valid (meta page 0: " + meta0.problem()
          + "; meta page 1: " + meta1.problem() + ")");
    }
    checkBounds(path, inUse, pageSize, size);
    return new MetaSelection(pageSize, inUse, List.of(meta0, meta1));
  }

  private static void checkBounds(Path path, MetaPage meta, int pageSize, long size) throws BoltFormatException {
    String at = path + ": meta page " + meta.number() + " (txid " + Long.toUnsignedString(meta.txid()) + "): ";
    long pages = meta.pageCount();
    if (Long.compareUnsigned(pages, size / pageSize) > 0) {
      throw new BoltFormatException(at + "the file is truncated: it has " + size + " bytes, but the meta page counts "
          + Long.toUnsignedString(pages) + " pages of " + pageSize + " bytes ("
          + Long.toUnsignedString(pages * pageSize) + " bytes)");
    }
    if (Long.compareUnsigned(meta.root(), 2) < 0 || Long.compareUnsigned(meta.root(), pages) >= 0) {
      throw new BoltFormatException(at + "root page " + Long.toUnsignedString(meta.root())
          + " is outside the data pages [2, " + pages + ")");
    }
    long freelist = meta.freelist();
    if (freelist != MetaPage.NO_FREELIST
        && (Long.compareUnsigned(freelist, 2) < 0 || Long.compareUnsigned(freelist, pages) >= 0)) {
      throw new BoltFormatException(at + "freelist page " + Long.toUnsignedString(freelist)
          + " is outside the data pages [2, " + pages + ")");
    }
  }

  private static int probePageSize(ReadOnlyFile file, long size) throws IOException {
    for (int i = 0; i < PROBES; i++) {
      long offset = (long) MIN_PAGE_SIZE << i;
      if (offset + META_END > size) {
        break;
      }
      MetaPage meta1 = MetaPage.parse(1, readAt(file, offset));
      if (meta1.valid() && meta1.pageSize() == offset) {
        return (int) offset;
      }
    }
    return 0;
  }

  private static boolean supported(int pageSize) {
    return pageSize >= MIN_PAGE_SIZE && pageSize <= MIN_PAGE_SIZE << (PROBES - 1) && Integer.bitCount(pageSize) == 1;
  }

  private static MetaPage invalid(MetaPage m, String problem) {
    return new MetaPage(m.number(), problem, m.pageSize(), m.root(), m.freelist(), m.pageCount(), m.txid());
  }

  private static ByteBuffer readAt(ReadOnlyFile file, long position) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(META_END).order(ByteOrder.LITTLE_ENDIAN);
    while (buf.hasRemaining() && file.read(buf, position + buf.position()) >= 0) {
      // keep reading: positioned reads may return short counts
    }
    return buf.clear();
  }
}
