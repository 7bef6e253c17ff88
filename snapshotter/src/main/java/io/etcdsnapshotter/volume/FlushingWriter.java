package io.etcdsnapshotter.volume;

import io.etcdsnapshotter.OneLine;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;

/**
 * Writes a file through the page cache while a thread of its own flushes what has been written, every 64 MiB.
 * Left alone, a 1.5 GiB snapshot was all still dirty when the stream ended and its fsync took 1.6 s more; flushed
 * as it grows, only the last MiBs are left to flush then. The stream does not wait for these flushes, so etcd's
 * read transaction stays open no longer than the network and the page cache need, however slow the volume: writing
 * each MiB with DSYNC instead was no faster here, took more CPU, and would hold etcd to the volume's speed.
 */
final class FlushingWriter implements GatheringByteChannel {
  static final long STEP = 64L * 1024 * 1024;
  private final FileChannel file;
  private final long step;
  private final Thread flusher;
  private final Object lock = new Object();
  private long written;
  /** Written only by the stream's thread, under the lock, so that thread may read it without. */
  private long requested;
  private boolean stopping;
  private volatile IOException failure;

  FlushingWriter(FileChannel file, String name, long step) {
    this.file = file;
    this.step = step;
    flusher = new Thread(this::flushAsItGrows, "flush " + name);
    flusher.setDaemon(true);
    flusher.start();
  }

  @Override
  public int write(ByteBuffer source) throws IOException {
    return (int) write(new ByteBuffer[] {source}, 0, 1);
  }

  @Override
  public long write(ByteBuffer[] sources) throws IOException {
    return write(sources, 0, sources.length);
  }

  /** Writes all of the buffers, in one system call where the kernel takes them all. */
  @Override
  public long write(ByteBuffer[] sources, int offset, int count) throws IOException {
    if (failure != null) {
      throw failure;
    }
    long length = 0;
    for (int i = offset; i < offset + count; i++) {
      length += sources[i].remaining();
    }
    try {
      for (long left = length; left > 0; ) {
        left -= file.write(sources, offset, count);
      }
    } catch (IOException | RuntimeException e) {
      throw new IOException("writing the snapshot failed: " + OneLine.message(e), e);
    }
    written += length;
    if (written - requested >= step) {
      synchronized (lock) {
        requested = written;
        lock.notifyAll();
      }
    }
    return length;
  }

  /** Stops flushing in the background; the caller's final fsync then has only the tail left to write. */
  void finish() throws IOException {
    stop();
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public boolean isOpen() {
    return file.isOpen();
  }

  @Override
  public void close() throws IOException {
    stop();
  }

  private void stop() throws IOException {
    synchronized (lock) {
      stopping = true;
      lock.notifyAll();
    }
    try {
      flusher.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while flushing the snapshot");
    }
  }

  private void flushAsItGrows() {
    long flushed = 0;
    while (true) {
      synchronized (lock) {
        while (!stopping && requested == flushed) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (stopping) {
          return;
        }
        flushed = requested;
      }
      try {
        file.force(false);
      } catch (IOException | RuntimeException e) {
        failure = new IOException("flushing the snapshot failed: " + OneLine.message(e), e);
        return;
      }
    }
  }
}
