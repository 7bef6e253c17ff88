package io.etcdsnapshotter.bolt;

import io.etcdsnapshotter.files.BackgroundFlush;
import io.etcdsnapshotter.files.PrivateFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Writes a new bbolt file in one pass, the way a defrag would, with the page writers the product uses: the tests
 * build their etcd-shaped snapshots with it. Top-level buckets come in strictly increasing name order, each filled
 * with strictly increasing keys. Pages are written as they fill, so memory stays flat for any size.
 * The result has no freelist page (as etcd writes on Linux), two valid metas and exactly pgid pages.
 *
 * <pre>
 * try (BoltWriter db = BoltWriter.create(path, 4096)) {
 *   db.beginBucket(name); db.put(key, value); ...; db.endBucket(); ...
 *   db.finish();
 * }
 * </pre>
 */
public final class BoltWriter implements Closeable {
  private final FileChannel channel;
  private final BackgroundFlush flush;
  private final BoltPageWriter pages;
  private final BoltTreeWriter root;
  private final CRC32C contentHash = new CRC32C();
  private long keyCount;
  private BoltTreeWriter bucket;
  private byte[] bucketName;

  private BoltWriter(FileChannel channel, int pageSize) {
    this.channel = channel;
    this.flush = new BackgroundFlush(channel, "db", BackgroundFlush.STEP);
    this.pages = new BoltPageWriter(channel, pageSize, 2, flush);
    this.root = new BoltTreeWriter(pages, Page.BUCKET_FLAG);
  }

  /** Creates {@code file} (mode 0600; it must not exist) for a db with the given page size. */
  public static BoltWriter create(Path file, int pageSize) throws IOException {
    if (pageSize < 1024 || Integer.bitCount(pageSize) != 1 || pageSize > 1 << 16) {
      throw new IllegalArgumentException("bbolt page size must be a power of two in [1024, 65536]: " + pageSize);
    }
    return new BoltWriter(PrivateFiles.createNew(file), pageSize);
  }

  public void beginBucket(byte[] name) {
    if (bucket != null) {
      throw new IllegalStateException("bucket still open");
    }
    bucketName = Arrays.copyOf(name, name.length);
    contentHash.update(name);
    bucket = new BoltTreeWriter(pages, 0);
  }

  public void put(byte[] key, byte[] value) throws IOException {
    put(ByteBuffer.wrap(key), ByteBuffer.wrap(value));
  }

  /** Copies the pair from each buffer's position to its limit; the buffers are left as they were. */
  public void put(ByteBuffer key, ByteBuffer value) throws IOException {
    if (bucket == null) {
      throw new IllegalStateException("no bucket open");
    }
    bucket.add(key, value);
    contentHash.update(key.duplicate());
    contentHash.update(value.duplicate());
    keyCount++;
  }

  public void endBucket() throws IOException {
    root.add(ByteBuffer.wrap(bucketName), ByteBuffer.wrap(bucket.finishBucket()));
    bucket = null;
  }

  /** Writes the root bucket's tree and both metas, then fsyncs; without it the file is not a valid db. */
  public void finish() throws IOException {
    if (bucket != null) {
      throw new IllegalStateException("bucket still open");
    }
    pages.finish(root.finishTree(), 2, 0, null);
    channel.force(true);
  }

  /**
   * etcd's {@code snapshot status} hash of what was written: CRC-32C over each bucket name followed by its keys
   * and values, in order. Reading the file back must give the same.
   */
  public long contentHash() {
    return contentHash.getValue();
  }

  /** Key/value pairs written over all buckets ({@code snapshot status} totalKey of etcd 3.4/3.5). */
  public long keyCount() {
    return keyCount;
  }

  /** Pages written so far: the db's size is this times the page size. */
  public long pageCount() {
    return pages.pageCount();
  }

  @Override
  public void close() throws IOException {
    try {
      flush.close();
    } finally {
      channel.close();
    }
  }
}
