package io.etcdsnapshotter.bolt;

import io.etcdsnapshotter.Background;
import io.etcdsnapshotter.files.BackgroundFlush;
import io.etcdsnapshotter.files.PrivateFiles;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * Commits one write transaction onto a copy of a bbolt file, the way bbolt would commit it onto the original: the
 * copy starts as the source's pages, byte for byte, copied by the kernel on a thread of its own while the caller reads
 * the source; the buckets replaced, the rightmost path of a bucket keys are appended to, and a new root are written
 * as new pages after them (appended keys as they come, while the copy still runs: the copy writes below the
 * source's high-water mark, they above it); both metas then point at the new root, so neither leads back to the old
 * content. The pages the new tree no longer reaches, and those free in the source, are listed in a freelist page:
 * without one (etcd writes none on Linux) bbolt finds them by reading every page of the file when etcd opens it,
 * which on a multi-GiB db is much of etcd's start after a restore. The source must have been {@link BoltFile#scan
 * scanned} for that; the read-back's scan checks the list against the tree, page by page.
 * A source already written where the db belongs (decrypted there) takes the transaction in place, with no copy.
 *
 * <pre>
 * try (BoltCopy db = BoltCopy.start(source, path, progress)) {
 *   db.replaceBucket(name, pairs);
 *   BoltCopy.Appender keys = db.appendTo(bucket); keys.add(key, value); ...; keys.finish();
 *   db.commit();
 *   db.force();
 * }
 * </pre>
 */
public final class BoltCopy implements Closeable {
  private final BoltFile source;
  private final FileChannel channel;
  private final BackgroundFlush flush;
  private final Background<Void> copy;
  private final SortedMap<byte[], SortedMap<byte[], byte[]>> replaced = new TreeMap<>(Arrays::compareUnsigned);
  /** Each bucket keys were appended to, with its new value (header, and the leaf image if inline). */
  private final SortedMap<byte[], byte[]> appended = new TreeMap<>(Arrays::compareUnsigned);
  /** Source pages the new tree leaves behind: the old root's, the replaced buckets' and the appended paths'. */
  private final PageSet dropped = new PageSet();
  /** Created by the first append or the commit: the new pages go after the source's. */
  private BoltPageWriter pages;

  /** {@code copyFrom}: the plain file whose pages are copied into {@code channel}; null when they are there. */
  private BoltCopy(BoltFile source, FileChannel channel, Path copyFrom, LongConsumer progress) {
    this.source = source;
    this.channel = channel;
    this.flush = new BackgroundFlush(channel, source.path().getFileName() + "'s copy", BackgroundFlush.STEP);
    this.copy = copyFrom == null ? null : Background.start("copying " + source.path(), () -> {
      copyPages(copyFrom, progress);
      return null;
    });
  }

  /**
   * Creates {@code target} (mode 0600; it must not exist) and starts copying the source's pages into it. The source
   * must be a plain file: the kernel copies its bytes as they are on disk.
   *
   * @param progress told of each chunk of bytes copied, on the copying thread
   */
  public static BoltCopy start(BoltFile source, Path target, LongConsumer progress) throws IOException {
    Path plain = source.plainPath();
    if (plain == null) {
      throw new IllegalArgumentException(source.path() + " is encrypted: decrypt it into the target and commit there"
          + " (inPlace)");
    }
    return new BoltCopy(source, PrivateFiles.createNew(target), plain, progress);
  }

  /**
   * Commits onto the source's own file, a plain db nothing else uses (decrypted from a snapshot for this restore):
   * whatever follows its pages (etcd's SHA-256 trailer) is cut off first, as a copy would leave it out.
   */
  public static BoltCopy inPlace(BoltFile source) throws IOException {
    FileChannel channel = FileChannel.open(source.plainPath(), StandardOpenOption.WRITE);
    try {
      channel.truncate(source.dataSize());
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    return new BoltCopy(source, channel, null, null);
  }

  /** On commit, the top-level bucket {@code name} holds exactly {@code pairs} (it is created if missing). */
  public void replaceBucket(byte[] name, SortedMap<byte[], byte[]> pairs) {
    replaced.put(name.clone(), pairs);
  }

  /**
   * Starts appending keys to the top-level bucket {@code name} (one the source lacks starts empty): they must sort
   * after every key it has, in increasing order. The appender writes pages as they fill, so however many keys are
   * appended it holds a few pages; {@link Appender#finish} before the commit.
   */
  public Appender appendTo(byte[] name) throws IOException {
    return new Appender(name.clone());
  }

  /**
   * Waits for the copy, then writes the new pages and both metas: from now on the file reads as the new db, and
   * {@link #force} makes it durable.
   */
  public void commit() throws IOException {
    if (copy != null) {
      copy.await();
    }
    BoltTreeWriter root = new BoltTreeWriter(pages(), Page.BUCKET_FLAG);
    for (Map.Entry<byte[], byte[]> bucket : newBuckets().entrySet()) {
      root.add(ByteBuffer.wrap(bucket.getKey()), ByteBuffer.wrap(bucket.getValue()));
    }
    dropSourceFreelist();
    PageSet sourceInUse = source.inUse();
    pages.finish(root.finishTree(), source.txid() + 1, source.pageCount(),
        sourceInUse == null ? null : p -> !sourceInUse.contains(p) || dropped.contains(p));
  }

  /** The source's own freelist pages, if it has any: the new metas list the free pages anew. */
  private void dropSourceFreelist() throws IOException {
    long freelist = source.meta().freelist();
    if (freelist != MetaPage.NO_FREELIST) {
      drop(freelist, source.store().load(freelist, null));
    }
  }

  private void drop(long pgid, Page page) {
    for (long p = pgid; p <= pgid + page.overflow; p++) {
      dropped.add(p);
    }
  }

  private BoltPageWriter pages() {
    if (pages == null) {
      pages = new BoltPageWriter(channel, source.pageSize(), source.pageCount(), flush);
    }
    return pages;
  }

  /** Waits until everything written is on disk. */
  public void force() throws IOException {
    channel.force(true);
  }

  /** Every top-level bucket of the new root: name to its value (header, and the leaf image if inline). */
  private SortedMap<byte[], byte[]> newBuckets() throws IOException {
    SortedMap<byte[], byte[]> buckets = new TreeMap<>(Arrays::compareUnsigned);
    // The old root's pages, and those of each bucket replaced, are left behind.
    new TreeWalk(source.store(), dropped).walk(source.meta().root(), "the root bucket", (page, i) -> {
      long root = BucketHeader.root(page, i);
      byte[] name = Keys.bytes(page.keySlice(i));
      buckets.put(name, Keys.bytes(page.valueSlice(i)));
      if (root != 0 && replaced.containsKey(name)) {
        new TreeWalk(source.store(), dropped).walk(root, "bucket " + page.show(i), (leaf, j) -> { });
      }
    });
    buckets.putAll(appended);
    for (Map.Entry<byte[], SortedMap<byte[], byte[]>> bucket : replaced.entrySet()) {
      BoltTreeWriter tree = new BoltTreeWriter(pages, 0);
      for (Map.Entry<byte[], byte[]> pair : bucket.getValue().entrySet()) {
        tree.add(ByteBuffer.wrap(pair.getKey()), ByteBuffer.wrap(pair.getValue()));
      }
      buckets.put(bucket.getKey(), tree.finishBucket());
    }
    return buckets;
  }

  /** Reads through a channel of its own: cancelling the copy interrupts it, which closes the channel it uses. */
  private void copyPages(Path from, LongConsumer progress) throws IOException {
    long size = source.dataSize();
    try (FileChannel in = FileAccess.openReadOnly(from)) {
      for (long done = 0; done < size; ) {
        long n = in.transferTo(done, Math.min(BackgroundFlush.STEP, size - done), channel);
        if (n <= 0) {
          throw new EOFException(source.path() + " ends at " + done + " bytes, before its " + size + " bytes of pages");
        }
        done += n;
        flush.written(n);
        progress.accept(n);
      }
    }
  }

  /** Stops a copy still running (the commit failed or never came); the caller deletes the file. */
  @Override
  public void close() throws IOException {
    if (copy != null) {
      copy.cancel();
    }
    try {
      flush.close();
    } finally {
      channel.close();
    }
  }

  /**
   * Appends keys to one bucket by copy-on-write of its rightmost path: the pages left of that path stay as they are;
   * a tree writer takes over the rightmost leaf's pairs and each branch's elements but the last, then packs the new
   * keys after them into new leaves and branches, as many as they need. The keys sort last, so no separator of a
   * page left of the path changes.
   */
  public final class Appender {
    private final byte[] bucket;
    private final BoltTreeWriter tree = new BoltTreeWriter(pages(), 0);
    /** Whether the bucket's tree has a root page (else it was inline, or is new), and its sequence then. */
    private boolean rooted;
    private long sequence;

    private Appender(byte[] bucket) throws IOException {
      this.bucket = bucket;
      if (appended.containsKey(bucket) || replaced.containsKey(bucket)) {
        throw new IllegalStateException("bucket " + show(bucket) + " is already written");
      }
      new TreeWalk(source.store(), new PageSet()).walk(source.meta().root(), "the root bucket", (page, i) -> {
        if (Arrays.equals(Keys.bytes(page.keySlice(i)), bucket)) {
          takeOver(page, i);
        }
      });
    }

    /** Feeds the bucket's rightmost path to the tree writer, while the walk's page is still there to read. */
    private void takeOver(Page parent, int i) throws IOException {
      long root = BucketHeader.root(parent, i);
      if (root == 0) {
        copyLeaf(parent.inlineBucket(i));
        return;
      }
      rooted = true;
      sequence = BucketHeader.sequence(parent, i);
      String name = parent.show(i);
      List<Page> path = new ArrayList<>();
      PageStore store = source.store();
      long pgid = root;
      Page page = store.loadNode(pgid, null, problem -> parent.corrupt("bucket " + name + " " + problem), null);
      drop(pgid, page);
      while (page.isBranch()) {
        path.add(page);
        Page branch = page;
        pgid = page.child(page.count - 1);
        page = store.loadNode(pgid, null, problem -> branch.corrupt("last element " + problem), null);
        drop(pgid, page);
      }
      tree.continueRightmost(path);
      copyLeaf(page);
    }

    private void copyLeaf(Page leaf) throws IOException {
      for (int i = 0; i < leaf.count; i++) {
        if (leaf.isBucket(i)) {
          throw leaf.corrupt("bucket " + show(bucket) + " holds a nested bucket " + leaf.show(i)
              + "; etcd never nests");
        }
        tree.add(leaf.keySlice(i), leaf.valueSlice(i));
      }
    }

    /**
     * Appends the pair, which must sort after every key of the bucket and every one appended before; {@code value} is
     * only read, from its position to its limit.
     */
    public void add(byte[] key, ByteBuffer value) throws IOException {
      try {
        tree.add(ByteBuffer.wrap(key), value);
      } catch (IllegalArgumentException e) {
        throw new IOException("cannot append " + Keys.show(ByteBuffer.wrap(key), 0, key.length) + " to bucket "
            + show(bucket) + ": it does not sort after the bucket's last key", e);
      }
    }

    /** Ends the bucket's new tree; the commit puts it in the root. */
    public void finish() throws IOException {
      appended.put(bucket, rooted ? BucketHeader.ofRoot(tree.finishTree(), sequence) : tree.finishBucket());
    }
  }

  private static String show(byte[] name) {
    return Keys.show(ByteBuffer.wrap(name), 0, name.length);
  }
}
