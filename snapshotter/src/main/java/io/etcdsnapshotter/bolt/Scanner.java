package io.etcdsnapshotter.bolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One pass over the whole database, as bbolt's {@code tx.Check()} plus a {@code ForEach} of every bucket: feeds the
 * visitor and checks the structure of every page, nested buckets and the freelist included.
 */
final class Scanner {
  /** etcd never nests buckets; a deeper nesting than this is taken for corruption. */
  private static final int MAX_NESTING = 16;
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

  private final PageStore store;
  private final PageSet used;
  private final BucketScanVisitor visitor;
  private final List<TreeWalk> walkers = new ArrayList<>();
  private long buckets;
  private long keys;

  Scanner(PageStore store, BucketScanVisitor visitor) {
    this.store = store;
    this.used = new PageSet();
    this.visitor = visitor;
  }

  ScanSummary run(MetaPage meta) throws IOException {
    walker(0).walk(meta.root(), "the root bucket of meta page " + meta.number(), this::topLevel);
    long free = new FreelistCheck(store, used).run(meta.freelist());
    return new ScanSummary(used.size(), free, buckets, keys);
  }

  private void topLevel(Page page, int i) throws IOException {
    BucketHeader.requireBucket(page, i);
    buckets++;
    visitor.bucket(page.keySlice(i));
    walkBucket(page, i, 1, this::pair);
  }

  private void pair(Page page, int i) throws IOException {
    keys++;
    if (page.isBucket(i)) {
      visitor.keyValue(page.keySlice(i), EMPTY);
      walkBucket(page, i, 2, nested(2));
    } else {
      visitor.keyValue(page.keySlice(i), page.valueSlice(i));
    }
  }

  private void walkBucket(Page page, int i, int level, TreeWalk.Sink sink) throws IOException {
    if (level > MAX_NESTING) {
      throw page.corrupt("buckets nested deeper than " + MAX_NESTING + " levels");
    }
    long root = BucketHeader.root(page, i);
    if (root == 0) {
      TreeWalk.walkInline(page.inlineBucket(i), sink);
    } else {
      walker(level).walk(root, "bucket " + page.show(i), sink);
    }
  }

  /** Contents of nested buckets are checked but, as in etcd's status, not counted. */
  private TreeWalk.Sink nested(int level) {
    return (page, i) -> {
      if (page.isBucket(i)) {
        walkBucket(page, i, level + 1, nested(level + 1));
      }
    };
  }

  /** The pages in use: reachable from the root, and the freelist's own once {@link #run} has checked it. */
  PageSet used() {
    return used;
  }

  private TreeWalk walker(int level) {
    while (walkers.size() <= level) {
      walkers.add(new TreeWalk(store, used));
    }
    return walkers.get(level);
  }
}
