package io.etcdsnapshotter.bolt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * bbolt's freelist page: the page header (flags {@link Page#FREELIST}, the id count in its u16 count field), then
 * the free page ids as u64, ascending. A count of {@value #COUNT_IN_FIRST_ID} or more does not fit the field: the
 * field then holds that value and the true count comes first, as a u64 before the ids. The page runs into as many
 * overflow pages as the ids need.
 */
final class FreelistPage {
  static final int COUNT_IN_FIRST_ID = 0xFFFF;

  private FreelistPage() {}

  /** Bytes from the start of a page of {@code count} ids to its first id, as written. */
  static int idsAt(long count) {
    return Page.HEADER + (count >= COUNT_IN_FIRST_ID ? 8 : 0);
  }

  /** Pages a freelist of {@code count} ids takes, overflow included. */
  static int pages(long count, int pageSize) {
    return (int) Math.max(1, (idsAt(count) + 8 * count + pageSize - 1) / pageSize);
  }

  /** The page header and, for a large count, the count before the ids: the first {@link #idsAt} bytes. */
  static ByteBuffer head(long pgid, long count, int pageSize) {
    ByteBuffer head = ByteBuffer.allocate(idsAt(count)).order(ByteOrder.LITTLE_ENDIAN);
    Page.putHeader(head, pgid, Page.FREELIST, (int) Math.min(count, COUNT_IN_FIRST_ID), pages(count, pageSize));
    if (count >= COUNT_IN_FIRST_ID) {
      head.putLong(Page.HEADER, count);
    }
    return head;
  }

  /** The number of ids {@code page} lists, checked to fit in the page. */
  static long count(Page page) throws BoltFormatException {
    long count = page.count == COUNT_IN_FIRST_ID ? page.buf.getLong(Page.HEADER) : page.count;
    if (count < 0 || count > (page.length - idsAt(page)) / 8) {
      throw page.corrupt("freelist of " + Long.toUnsignedString(count) + " ids does not fit in the page");
    }
    return count;
  }

  /** Id {@code i} of those {@code page} lists. */
  static long id(Page page, int i) {
    return page.buf.getLong(idsAt(page) + 8 * i);
  }

  /** Where the ids of a page read start: the count field says whether the true count comes first. */
  private static int idsAt(Page page) {
    return Page.HEADER + (page.count == COUNT_IN_FIRST_ID ? 8 : 0);
  }
}
