package io.etcdsnapshotter.bolt;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Serves one tree walk's pages from a 64 KiB window while the walk moves forward through the file, which it mostly
 * does: bbolt allocates a commit's pages in key order, so consecutive leaves tend to be neighbours. Reading 16 pages
 * per call instead of one takes most of the system-call cost out of a full scan; a walk that jumps around falls back
 * to single-page reads. Leaves are returned as views of the window, valid until the walk reads its next page;
 * branch pages are copied out, since the walk keeps them while it reads their children.
 */
final class ReadAhead {
  private static final int WINDOW_BYTES = 1 << 16;

  private final PageStore store;
  private ByteBuffer window;
  private long first;
  private long pages;
  private long next = -1;

  ReadAhead(PageStore store) {
    this.store = store;
  }

  /** Page {@code pgid} (in range), read into {@code reuse} unless it comes from the window as a leaf. */
  Page read(long pgid, ByteBuffer reuse) throws IOException {
    Page page = fromWindow(pgid);
    if (page == null) {
      page = store.load(pgid, reuse);
    } else if (!page.isLeaf()) {
      page = store.copy(pgid, page, reuse);
    }
    next = pgid + page.overflow + 1;
    return page;
  }

  /** Whether {@code buf} is the window, which the caller must not hand back as a buffer to reuse. */
  boolean isWindow(ByteBuffer buf) {
    return buf == window;
  }

  private Page fromWindow(long pgid) throws IOException {
    if (!covers(pgid, 0)) {
      if (pgid != next) {
        return null;
      }
      fill(pgid);
    }
    Page head = store.pageAt(window, (int) ((pgid - first) * store.pageSize), pgid);
    if (covers(pgid, head.overflow)) {
      return head.overflow == 0 ? head : store.pageAt(window, head, pgid);
    }
    if ((head.overflow + 1) * store.pageSize > WINDOW_BYTES || pgid == first) {
      return null;
    }
    fill(pgid);
    return fromWindow(pgid);
  }

  private boolean covers(long pgid, long overflow) {
    return window != null && pgid >= first && pgid + overflow < first + pages;
  }

  private void fill(long pgid) throws IOException {
    if (window == null) {
      window = PageStore.fit(null, WINDOW_BYTES);
    }
    pages = Math.min(WINDOW_BYTES / store.pageSize, store.pageCount - pgid);
    first = pgid;
    store.readFully(window, 0, pgid * store.pageSize, (int) (pages * store.pageSize));
  }
}
