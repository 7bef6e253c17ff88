package io.etcdsnapshotter.bolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Point lookups: a binary-search descent from a root, bounded in depth so a cyclic file cannot loop. */
final class Lookup {
  private final PageStore store;

  Lookup(PageStore store) {
    this.store = store;
  }

  /** The leaf holding {@code key} and its index there, or null. */
  record Hit(Page leaf, int index) {}

  Hit find(long root, byte[] key) throws IOException {
    return find(root, key, "the root bucket");
  }

  /** Looks {@code key} up inside the bucket whose element is {@code bucket}. */
  Hit findInBucket(Hit bucket, byte[] key) throws IOException {
    long root = BucketHeader.root(bucket.leaf(), bucket.index());
    if (root == 0) {
      return search(bucket.leaf().inlineBucket(bucket.index()), ByteBuffer.wrap(key));
    }
    return find(root, key, "bucket " + bucket.leaf().show(bucket.index()));
  }

  /** The last key of the bucket whose element is {@code bucket}: the rightmost descent; null when it is empty. */
  byte[] lastInBucket(Hit bucket) throws IOException {
    long root = BucketHeader.root(bucket.leaf(), bucket.index());
    String from = "bucket " + bucket.leaf().show(bucket.index());
    Page page = root == 0 ? bucket.leaf().inlineBucket(bucket.index()) : null;
    Page.Corruption owner = problem -> store.corrupt(from + " " + problem);
    long pgid = root;
    for (int depth = 0; depth < TreeWalk.MAX_DEPTH; depth++) {
      if (page == null) {
        page = store.loadNode(pgid, null, owner, null);
      }
      if (page.count == 0) {
        return null;
      }
      if (page.isLeaf()) {
        return Keys.bytes(page.keySlice(page.count - 1));
      }
      Page branch = page;
      pgid = branch.child(branch.count - 1);
      owner = problem -> branch.corrupt("element " + (branch.count - 1) + " " + problem);
      page = null;
    }
    throw store.corrupt(from + ": the tree is deeper than " + TreeWalk.MAX_DEPTH + " levels");
  }

  private Hit find(long root, byte[] key, String from) throws IOException {
    ByteBuffer target = ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN);
    Page.Corruption owner = problem -> store.corrupt(from + " " + problem);
    long pgid = root;
    for (int depth = 0; depth < TreeWalk.MAX_DEPTH; depth++) {
      Page page = store.loadNode(pgid, null, owner, null);
      if (page.isLeaf()) {
        return search(page, target);
      }
      int child = childIndex(page, target);
      pgid = page.child(child);
      owner = problem -> page.corrupt("element " + child + " " + problem);
    }
    throw store.corrupt(from + ": the tree is deeper than " + TreeWalk.MAX_DEPTH + " levels");
  }

  /** The last child whose separator is at most the key (the first one if the key sorts before all). */
  private static int childIndex(Page page, ByteBuffer key) {
    int at = lowerBound(page, key);
    if (at < page.count && compare(page, at, key) == 0) {
      return at;
    }
    return Math.max(at - 1, 0);
  }

  private static Hit search(Page leaf, ByteBuffer key) {
    int at = lowerBound(leaf, key);
    return at < leaf.count && compare(leaf, at, key) == 0 ? new Hit(leaf, at) : null;
  }

  private static int lowerBound(Page page, ByteBuffer key) {
    int lo = 0;
    int hi = page.count;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (compare(page, mid, key) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static int compare(Page page, int i, ByteBuffer key) {
    return Keys.compare(page.buf, page.keyOffset(i), page.keyLength(i), key, 0, key.capacity());
  }
}
