package io.etcdsnapshotter.bolt;

import io.etcdsnapshotter.files.ReadOnlyFile;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Reads pages with positioned reads: works for files beyond 2 GiB and keeps memory to the buffers the caller reuses.
 */
final class PageStore {
  /** A larger page image than this is taken for a corrupt overflow count rather than allocated. */
  private static final long MAX_PAGE_BYTES = 256L << 20;

  private final ReadOnlyFile file;
  private final Path path;
  final int pageSize;
  final long pageCount;

  PageStore(ReadOnlyFile file, Path path, int pageSize, long pageCount) {
    this.file = file;
    this.path = path;
    this.pageSize = pageSize;
    this.pageCount = pageCount;
  }

  BoltFormatException corrupt(long pgid, String problem) {
    return new BoltFormatException(
        path + ": page " + pgid + " (offset " + pgid * pageSize + "): " + problem);
  }

  BoltFormatException corrupt(String problem) {
    return new BoltFormatException(path + ": " + problem);
  }

  boolean inRange(long pgid) {
    return pgid >= 2 && pgid < pageCount;
  }

  /** Whether the pages are read as they lie on disk (not decrypted), where a read-ahead window saves calls. */
  boolean plain() {
    return file.plainPath() != null;
  }

  /**
   * Reads a page a tree pointer leads to, through {@code ahead} if given; {@code from} names the pointer's owner if
   * it points outside the data.
   */
  Page loadNode(long pgid, ByteBuffer reuse, Page.Corruption from, ReadAhead ahead) throws IOException {
    if (!inRange(pgid)) {
      throw from.at("points to page " + Long.toUnsignedString(pgid) + ", outside the data pages [2, " + pageCount + ")");
    }
    Page page = ahead == null ? load(pgid, reuse) : ahead.read(pgid, reuse);
    if (!page.isLeaf() && !page.isBranch()) {
      throw page.corrupt(String.format("flags 0x%x where a branch or leaf page belongs", page.flags));
    }
    if (page.isBranch() && page.count == 0) {
      throw page.corrupt("branch page without elements");
    }
    page.checkElements();
    return page;
  }

  /**
   * Reads page {@code pgid} (already checked with {@link #inRange}) with its overflow pages, into {@code reuse} when
   * it is large enough; checks the header's id and that the overflow stays below the high-water mark.
   */
  Page load(long pgid, ByteBuffer reuse) throws IOException {
    ByteBuffer buf = fit(reuse, pageSize);
    readFully(buf, 0, pgid * pageSize, pageSize);
    Page first = pageAt(buf, 0, pgid);
    if (first.overflow == 0) {
      return first;
    }
    int bytes = imageBytes(pgid, first);
    ByteBuffer whole = fitLarge(pgid, buf, bytes);
    if (whole != buf) {
      whole.put(0, buf, 0, pageSize);
    }
    readFully(whole, pageSize, (pgid + 1) * pageSize, bytes - pageSize);
    return new Page(whole, 0, bytes, problem -> corrupt(pgid, problem));
  }

  /** The first page of page {@code pgid}, already read into {@code buf} at {@code offset}; checks its id. */
  Page pageAt(ByteBuffer buf, int offset, long pgid) throws BoltFormatException {
    Page first = new Page(buf, offset, pageSize, problem -> corrupt(pgid, problem));
    if (first.id() != pgid) {
      throw corrupt(pgid, "header says it is page " + Long.toUnsignedString(first.id()));
    }
    return first;
  }

  /** Page {@code pgid} with all its overflow pages, which {@code buf} already holds after {@code first}. */
  Page pageAt(ByteBuffer buf, Page first, long pgid) throws BoltFormatException {
    return new Page(buf, first.base(), imageBytes(pgid, first), problem -> corrupt(pgid, problem));
  }

  /** A copy of {@code page} in {@code reuse} (or a new buffer if that is too small). */
  Page copy(long pgid, Page page, ByteBuffer reuse) throws IOException {
    ByteBuffer buf = fitLarge(pgid, reuse, page.length);
    buf.put(0, page.buf, page.base(), page.length);
    return new Page(buf, 0, page.length, problem -> corrupt(pgid, problem));
  }

  private int imageBytes(long pgid, Page first) throws BoltFormatException {
    if (pgid + first.overflow >= pageCount) {
      throw corrupt(pgid, "overflow of " + first.overflow + " pages runs past the high-water mark " + pageCount);
    }
    long bytes = (first.overflow + 1) * pageSize;
    if (bytes > MAX_PAGE_BYTES) {
      throw corrupt(pgid, "overflow of " + first.overflow + " pages (" + bytes + " bytes) is larger than any etcd value");
    }
    return (int) bytes;
  }

  /** Reads {@code length} bytes at file offset {@code position} into {@code buf} from index {@code at}. */
  void readFully(ByteBuffer buf, int at, long position, int length) throws IOException {
    ByteBuffer target = buf.duplicate().clear().position(at).limit(at + length);
    long next = position;
    while (target.hasRemaining()) {
      int n = file.read(target, next);
      if (n < 0) {
        throw new EOFException(path + ": unexpected end of file at offset " + next);
      }
      next += n;
    }
  }

  /** A huge overflow count is far more likely corruption than data: report it in one line instead of dying. */
  private ByteBuffer fitLarge(long pgid, ByteBuffer reuse, int size) throws IOException {
    try {
      return fit(reuse, size);
    } catch (OutOfMemoryError e) {
      throw new IOException(path + ": page " + pgid + " spans " + size
          + " bytes, more than this JVM can buffer (raise -Xmx and -XX:MaxDirectMemorySize if the file is sound)");
    }
  }

  static ByteBuffer fit(ByteBuffer reuse, int size) {
    if (reuse != null && reuse.capacity() >= size) {
      return reuse;
    }
    return ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
