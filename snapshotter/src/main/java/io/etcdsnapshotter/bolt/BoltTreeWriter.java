package io.etcdsnapshotter.bolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Bulk-loads one B+tree from keys given in strictly increasing order: leaves are packed up to a page and written
 * as soon as they are full; each branch level keeps only its page under construction, so memory stays at a few
 * pages whatever the tree's size. Separators are each child's first key, as bbolt stores them.
 */
final class BoltTreeWriter {
  private static final int MAX_OVERFLOW_LEAF_PAGES = 4;

  private final BoltPageWriter pages;
  private final int elementFlags;
  private final BoltPageWriter.Leaf leaf = new BoltPageWriter.Leaf();
  private final List<Level> levels = new ArrayList<>();

  /** @param elementFlags {@link Page#BUCKET_FLAG} for the root tree, whose values are bucket headers; 0 for keys */
  BoltTreeWriter(BoltPageWriter pages, int elementFlags) {
    this.pages = pages;
    this.elementFlags = elementFlags;
  }

  /**
   * Continues an existing tree to the right: {@code branches} is its rightmost path of branch pages, root first.
   * Each becomes the page under construction at its depth with every element but its last (the child on the path,
   * which the pages written below replace); the caller then adds the rightmost leaf's pairs and the new ones.
   */
  void continueRightmost(List<Page> branches) {
    for (int depth = 0; depth < branches.size(); depth++) {
      Page branch = branches.get(branches.size() - 1 - depth);
      Level level = new Level();
      for (int i = 0; i < branch.count - 1; i++) {
        byte[] key = Keys.bytes(branch.keySlice(i));
        level.keys.add(key);
        level.children.add(branch.child(i));
        level.bytes += Page.ELEMENT + key.length;
      }
      levels.add(level);
    }
  }

  /** Copies the pair (the buffers are only read, from their position to their limit). */
  void add(ByteBuffer key, ByteBuffer value) throws IOException {
    int size = Page.ELEMENT + key.remaining() + value.remaining();
    if (leaf.count() > 0 && leaf.size() + size > pages.pageSize() && !joinsOverflowLeaf(size)) {
      flushLeaf();
    }
    leaf.add(key, value);
  }

  /**
   * A value too big to share one page would leave most of its last page empty if every one got a leaf of its own
   * (4 KiB values on 4 KiB pages would double the db). Such values share a leaf of up to a few pages, as bbolt's
   * own splits put at least two elements in a leaf.
   */
  private boolean joinsOverflowLeaf(int size) {
    int pageSize = pages.pageSize();
    return size > pageSize / 4 && (leaf.size() + size + pageSize - 1) / pageSize <= MAX_OVERFLOW_LEAF_PAGES;
  }

  /**
   * Ends the tree and returns its bucket value: inline (the leaf image after the header) when it is one leaf of at
   * most a quarter page, as bbolt itself decides on commit; otherwise a header naming the root page.
   */
  byte[] finishBucket() throws IOException {
    if (levels.isEmpty() && leaf.size() <= pages.pageSize() / 4) {
      return BucketHeader.inline(BoltPageWriter.inlineLeaf(leaf));
    }
    return BucketHeader.ofRoot(finishTree(), 0);
  }

  /** Ends the tree and returns the id of its root page. */
  long finishTree() throws IOException {
    if (leaf.count() > 0 || levels.isEmpty()) {
      flushLeaf();
    }
    for (int i = 0; ; i++) {
      Level level = levels.get(i);
      if (i == levels.size() - 1 && level.keys.size() == 1) {
        return level.children.get(0);
      }
      flushBranch(i);
    }
  }

  private void flushLeaf() throws IOException {
    long pgid = pages.writeLeaf(leaf, elementFlags);
    addChild(0, leaf.firstKey(), pgid);
    leaf.clear();
  }

  private void addChild(int depth, byte[] firstKey, long pgid) throws IOException {
    if (levels.size() == depth) {
      levels.add(new Level());
    }
    Level level = levels.get(depth);
    int size = Page.ELEMENT + firstKey.length;
    if (!level.keys.isEmpty() && level.bytes + size > pages.pageSize()) {
      flushBranch(depth);
    }
    level.keys.add(firstKey);
    level.children.add(pgid);
    level.bytes += size;
  }

  private void flushBranch(int depth) throws IOException {
    Level level = levels.get(depth);
    long pgid = pages.writeBranch(level.keys, level.children);
    byte[] firstKey = level.keys.get(0);
    level.keys.clear();
    level.children.clear();
    level.bytes = Page.HEADER;
    addChild(depth + 1, firstKey, pgid);
  }

  /** The branch page under construction at one depth (0 = parents of leaves). */
  private static final class Level {
    final List<byte[]> keys = new ArrayList<>();
    final List<Long> children = new ArrayList<>();
    int bytes = Page.HEADER;
  }
}
