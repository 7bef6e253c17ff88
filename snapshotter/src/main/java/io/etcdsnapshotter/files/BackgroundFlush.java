package io.etcdsnapshotter.files;

import io.etcdsnapshotter.OneLine;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;

/**
 * Flushes a file being written on a thread of its own, each time another {@code step} bytes have been written to it.
 * Left alone, the page cache of a machine with GiBs of RAM holds a whole multi-GiB file dirty until the final fsync,
 * which then writes all of it while nothing else happens; flushed as it grows, the disk writes while the writer
 * works, and the final fsync has only the tail left. The writer never waits for these flushes.
 */
public final class BackgroundFlush implements AutoCloseable {
  /** Flushing every 64 MiB kept the disk busy without slowing a 1.5 GiB write down. */
  public static final long STEP = 64L * 1024 * 1024;

  private final FileChannel file;
  private final long step;
  private final Thread flusher;
  private final Object lock = new Object();
  private long written;
  private long requested;
  private boolean stopping;
  private volatile IOException failure;

  /** @param name what is written, for the thread's name and the error message */
  public BackgroundFlush(FileChannel file, String name, long step) {
    this.file = file;
    this.step = step;
    flusher = new Thread(() -> flushAsItGrows(name), "flush " + name);
    flusher.setDaemon(true);
    flusher.start();
  }

  /**
   * Counts bytes the caller has just written; throws what a background flush ran into, if anything. Several threads
   * may write parts of the file at once (a copy, and pages beyond it).
   */
  public void written(long bytes) throws IOException {
    if (failure != null) {
      throw failure;
    }
    synchronized (lock) {
      written += bytes;
      if (written - requested >= step) {
        requested = written;
        lock.notifyAll();
      }
    }
  }

  /** Stops flushing; the caller's final fsync then has only the tail left to write. */
  public void finish() throws IOException {
    close();
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public void close() throws IOException {
    synchronized (lock) {
      stopping = true;
      lock.notifyAll();
    }
    try {
      flusher.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while flushing " + flusher.getName().substring(6));
    }
  }

  private void flushAsItGrows(String name) {
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
        failure = new IOException("flushing " + name + " failed: " + OneLine.message(e), e);
        return;
      }
    }
  }
}
