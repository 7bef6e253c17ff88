package io.etcdsnapshotter.bolt;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Walks one B+tree depth first with an explicit stack, checking each page as it goes: pointers below the high-water
 * mark, no page used twice (so cycles end), branch or leaf flags, element bounds, key order and branch separators.
 * One page buffer per level is reused and leaves are read ahead through a small window, so a walk holds at most
 * {@link #MAX_DEPTH} pages and the window whatever the tree's size.
 */
final class TreeWalk {
  /** Receives the elements of the leaves in key order. */
  interface Sink {
    void element(Page leaf, int index) throws IOException;
  }

  /** Far above any real tree: a 4 KiB-page tree of depth 10 already holds more keys than etcd's quota allows. */
  static final int MAX_DEPTH = 32;

  private final PageStore store;
  private final PageSet used;
  private final Page[] pages = new Page[MAX_DEPTH];
  private final int[] next = new int[MAX_DEPTH];
  private final Keys.Key[] upper = new Keys.Key[MAX_DEPTH];
  private final ByteBuffer[] buffers = new ByteBuffer[MAX_DEPTH];
  private final ReadAhead ahead;

  TreeWalk(PageStore store, PageSet used) {
    this.store = store;
    this.used = used;
    // An encrypted file reads ahead into a cache of decrypted chunks of its own: a window would only copy them.
    this.ahead = store.plain() ? new ReadAhead(store) : null;
  }

  /** Walks the tree rooted at {@code root}; {@code from} names what points to it, for the error message. */
  void walk(long root, String from, Sink sink) throws IOException {
    push(0, root, problem -> store.corrupt(from + " " + problem), null, null);
    int depth = 0;
    while (depth >= 0) {
      Page page = pages[depth];
      if (page.isLeaf()) {
        for (int i = 0; i < page.count; i++) {
          sink.element(page, i);
        }
        depth--;
      } else if (next[depth] == page.count) {
        depth--;
      } else {
        depth = descend(depth, page);
      }
    }
  }

  /** Walks an inline bucket: a single leaf living inside its parent's page. */
  static void walkInline(Page leaf, Sink sink) throws IOException {
    for (int i = 0; i < leaf.count; i++) {
      sink.element(leaf, i);
    }
  }

  private int descend(int depth, Page page) throws IOException {
    int i = next[depth]++;
    if (depth + 1 == MAX_DEPTH) {
      throw page.corrupt("the tree is deeper than " + MAX_DEPTH + " levels");
    }
    Keys.Key below = i + 1 < page.count ? page.key(i + 1) : upper[depth];
    push(depth + 1, page.child(i), problem -> page.corrupt("element " + i + " " + problem), page.key(i), below);
    return depth + 1;
  }

  private void push(int depth, long pgid, Page.Corruption from, Keys.Key lower, Keys.Key below)
      throws IOException {
    Page page = store.loadNode(pgid, buffers[depth], from, ahead);
    if (ahead == null || !ahead.isWindow(page.buf)) {
      buffers[depth] = page.buf;
    }
    for (long p = pgid; p <= pgid + page.overflow; p++) {
      if (!used.add(p)) {
        throw store.corrupt(p, "page is reachable more than once (referenced twice, or a cycle)");
      }
    }
    page.checkOrder(lower, below);
    pages[depth] = page;
    next[depth] = 0;
    upper[depth] = below;
  }
}
