package io.etcdsnapshotter.bolt;

import io.etcdsnapshotter.files.ReadOnlyFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Read-only streaming view of a bbolt file (optionally followed by etcd's 32-byte SHA-256 trailer), read from disk
 * as it is or through a decryption ({@link ReadOnlyFile}).
 */
public final class BoltFile implements Closeable {
  private final Path path;
  private final ReadOnlyFile file;
  private final long fileSize;
  private final MetaSelection metas;
  private final PageStore store;
  private PageSet inUse;

  private BoltFile(Path path, ReadOnlyFile file, long fileSize, MetaSelection metas) {
    this.path = path;
    this.file = file;
    this.fileSize = fileSize;
    this.metas = metas;
    this.store = new PageStore(file, path, metas.pageSize(), metas.inUse().pageCount());
  }

  /** Opens the file and picks its meta page; a file that is not bbolt gives a {@link BoltFormatException}. */
  public static BoltFile open(Path path) throws IOException {
    return open(ReadOnlyFile.of(FileAccess.openReadOnly(path), path), path);
  }

  /**
   * Reads the bbolt file {@code content} holds, which {@code path} names in messages; closing the result closes
   * {@code content}, and so does a failure here.
   */
  public static BoltFile open(ReadOnlyFile content, Path path) throws IOException {
    try {
      long size = content.size();
      return new BoltFile(path, content, size, MetaSelection.read(content, path, size));
    } catch (IOException | RuntimeException e) {
      content.close();
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  public int pageSize() {
    return metas.pageSize();
  }

  /** meta.pgid, the high-water mark. */
  public long pageCount() {
    return metas.inUse().pageCount();
  }

  /** The txid of the meta page in use. */
  public long txid() {
    return metas.inUse().txid();
  }

  /** The content's bytes on disk as they are, for the kernel to copy; null when the file is encrypted. */
  public Path plainPath() {
    return file.plainPath();
  }

  /** pageCount * pageSize: the bytes bbolt uses (etcd's totalSize); the file may be longer. */
  public long dataSize() {
    return pageCount() * pageSize();
  }

  public long fileSize() {
    return fileSize;
  }

  /** The meta page bbolt would use. */
  public MetaPage meta() {
    return metas.inUse();
  }

  /** Both meta pages, 0 then 1, each valid or with the reason why not. */
  public List<MetaPage> metaPages() {
    return metas.both();
  }

  /** The top-level bucket names in byte order. */
  public List<byte[]> bucketNames() throws IOException {
    List<byte[]> names = new ArrayList<>();
    new TreeWalk(store, new PageSet()).walk(meta().root(), "the root bucket", (page, i) -> {
      BucketHeader.requireBucket(page, i);
      names.add(Keys.bytes(page.keySlice(i)));
    });
    return names;
  }

  /** Streams a top-level bucket's pairs in key order; a bucket that does not exist yields nothing. */
  public void forEach(byte[] bucket, KeyValueVisitor visitor) throws IOException {
    Lookup.Hit hit = new Lookup(store).find(meta().root(), bucket);
    if (hit == null) {
      return;
    }
    TreeWalk.Sink sink = (page, i) ->
        visitor.accept(Keys.bytes(page.keySlice(i)),
            page.isBucket(i) ? new byte[0] : Keys.bytes(page.valueSlice(i)));
    long root = BucketHeader.root(hit.leaf(), hit.index());
    if (root == 0) {
      TreeWalk.walkInline(hit.leaf().inlineBucket(hit.index()), sink);
    } else {
      new TreeWalk(store, new PageSet()).walk(root, "bucket " + hit.leaf().show(hit.index()), sink);
    }
  }

  /** The value of {@code key} in a top-level bucket; empty if either is missing or the key names a nested bucket. */
  public Optional<byte[]> get(byte[] bucket, byte[] key) throws IOException {
    Lookup lookup = new Lookup(store);
    Lookup.Hit b = lookup.find(meta().root(), bucket);
    Lookup.Hit k = b == null ? null : lookup.findInBucket(b, key);
    if (k == null || k.leaf().isBucket(k.index())) {
      return Optional.empty();
    }
    return Optional.of(Keys.bytes(k.leaf().valueSlice(k.index())));
  }

  /**
   * The last key of a top-level bucket, from one descent along its right edge; empty if the bucket is missing or
   * empty. etcd's newest revision is the last key of its "key" bucket, found so without reading the file.
   */
  public Optional<byte[]> lastKey(byte[] bucket) throws IOException {
    Lookup lookup = new Lookup(store);
    Lookup.Hit b = lookup.find(meta().root(), bucket);
    return b == null || !b.leaf().isBucket(b.index()) ? Optional.empty() : Optional.ofNullable(lookup.lastInBucket(b));
  }

  /**
   * Visits every bucket and pair in order while checking the whole structure, as bbolt's {@code tx.Check()}: every
   * page below the high-water mark, reached once, flags, bounds, key order, separators and the freelist if any.
   */
  public ScanSummary scan(BucketScanVisitor visitor) throws IOException {
    Scanner scanner = new Scanner(store, visitor);
    ScanSummary summary = scanner.run(meta());
    inUse = scanner.used();
    return summary;
  }

  /** The pages the last {@link #scan} found in use, freelist pages included; null before a scan. */
  PageSet inUse() {
    return inUse;
  }

  PageStore store() {
    return store;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
