package io.etcdsnapshotter.bolt;

import java.io.IOException;

/**
 * Checks a persisted freelist the way {@code tx.Check()} does: every data page is either reachable or free, never
 * both, and nothing is listed twice. With {@link MetaPage#NO_FREELIST} (etcd on Linux) bbolt rebuilds the freelist
 * from reachability, so every unreachable page is simply free.
 */
final class FreelistCheck {
  private final PageStore store;
  private final PageSet used;

  FreelistCheck(PageStore store, PageSet used) {
    this.store = store;
    this.used = used;
  }

  /** Returns the number of free pages. */
  long run(long freelist) throws IOException {
    if (freelist == MetaPage.NO_FREELIST) {
      return store.pageCount - 2 - used.size();
    }
    Page page = store.load(freelist, null);
    if (page.flags != Page.FREELIST) {
      throw page.corrupt(String.format("flags 0x%x where the meta page's freelist belongs", page.flags));
    }
    for (long p = freelist; p <= freelist + page.overflow; p++) {
      if (!used.add(p)) {
        throw store.corrupt(p, "the freelist page is also reachable from a bucket");
      }
    }
    PageSet free = listed(page);
    for (long p = 2; p < store.pageCount; p++) {
      if (!used.contains(p) && !free.contains(p)) {
        throw store.corrupt(p, "unreachable and not in the freelist");
      }
    }
    return free.size();
  }

  private PageSet listed(Page page) throws BoltFormatException {
    long count = FreelistPage.count(page);
    PageSet free = new PageSet();
    for (int i = 0; i < count; i++) {
      long id = FreelistPage.id(page, i);
      if (!store.inRange(id)) {
        throw page.corrupt("freelist lists page " + Long.toUnsignedString(id) + ", outside [2, " + store.pageCount + ")");
      }
      if (used.contains(id)) {
        throw store.corrupt(id, "both reachable and in the freelist");
      }
      if (!free.add(id)) {
        throw store.corrupt(id, "listed twice in the freelist");
      }
    }
    return free;
  }
}
