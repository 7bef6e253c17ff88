package io.etcdsnapshotter.s3;

import io.etcdsnapshotter.Background;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.file.Path;

/**
 * The {@link PartHashes} of a file taken while it is being written, by a thread of its own that reads the file just
 * behind the writer (from the page cache), so that the upload can begin as soon as the file is whole instead of
 * reading all of it first. During a save the hashing runs beside the stream, on the CPU etcd and the stream leave
 * idle. The hashes are of the bytes read back from the file, which is what the upload sends.
 */
public final class HashAsWritten implements AutoCloseable {
  /** The reader is woken each time another MiB has been written, not on every chunk. */
  private static final long STEP = 1 << 20;
  private static final int READ = 1 << 20;
  private final FileChannel file;
  private final Path path;
  private final Object lock = new Object();
  private final Background<PartHashes> hashing;
  private long written;
  private long announced;
  private boolean whole;

  private HashAsWritten(FileChannel file, Path path) {
    this.file = file;
    this.path = path;
    this.hashing = Background.start("hash " + path.getFileName(), this::hashAsItGrows);
  }

  /** Starts hashing {@code path}, a file that is being written from its start through {@link #counting}. */
  public static HashAsWritten follow(Path path) throws IOException {
    return new HashAsWritten(FileChannel.open(path), path);
  }

  /** The writer's channel, through which every byte of the file must pass. */
  public GatheringByteChannel counting(GatheringByteChannel out) {
    return new Counting(out);
  }

  /** The file is whole: the hashes end with the last byte written. */
  public void whole() {
    synchronized (lock) {
      whole = true;
      lock.notifyAll();
    }
  }

  /**
   * The hashes once the reader has caught up with the end; null for a file of more parts than S3 takes at this part
   * size (over 156 GiB), which the upload then reads on its own.
   */
  public PartHashes await() throws IOException {
    return hashing.await();
  }

  /** Stops the reader if it still runs (the file was not made whole, or its hashes are no longer wanted). */
  @Override
  public void close() throws IOException {
    hashing.cancel();
    file.close();
  }

  private void counted(long bytes) {
    synchronized (lock) {
      written += bytes;
      if (written - announced >= STEP) {
        announced = written;
        lock.notifyAll();
      }
    }
  }

  /** How far the file may be read, once that is beyond {@code from}; {@code last}: it ends there. */
  private Readable readable(long from) throws InterruptedIOException {
    synchronized (lock) {
      while (!whole && announced <= from) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("stopped hashing " + path);
        }
      }
      return new Readable(whole ? written : announced, whole);
    }
  }

  private record Readable(long end, boolean last) {}

  private PartHashes hashAsItGrows() throws IOException {
    PartHashes.Hasher hasher = new PartHashes.Hasher(PartHashes.PART_SIZE);
    ByteBuffer buffer = ByteBuffer.allocateDirect(READ);
    Readable readable;
    do {
      readable = readable(hasher.size());
      while (hasher.size() < readable.end()) {
        buffer.clear().limit((int) Math.min(READ, readable.end() - hasher.size()));
        if (file.read(buffer, hasher.size()) < 0) {
          throw new IOException(path + " shrank to " + hasher.size() + " bytes while it was hashed for its upload");
        }
        hasher.update(buffer.flip());
      }
    } while (!readable.last());
    PartHashes hashes = hasher.finish();
    return hashes.count() > PartHashes.MAX_PARTS ? null : hashes;
  }

  /** Counts what passes to the writer. */
  private final class Counting implements GatheringByteChannel {
    private final GatheringByteChannel out;

    Counting(GatheringByteChannel out) {
      this.out = out;
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
      int n = out.write(source);
      counted(n);
      return n;
    }

    @Override
    public long write(ByteBuffer[] sources) throws IOException {
      return write(sources, 0, sources.length);
    }

    @Override
    public long write(ByteBuffer[] sources, int offset, int count) throws IOException {
      long n = out.write(sources, offset, count);
      counted(n);
      return n;
    }

    @Override
    public boolean isOpen() {
      return out.isOpen();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
