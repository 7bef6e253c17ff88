package io.etcdsnapshotter.journal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A segment's bytes, read front to back through one window. A restore reads gigabytes of journal: mapped, each
 * segment's pages would count as the reader's memory until the mapping is collected (4 GB of RSS for a 4 GB
 * journal), and each page would cost a fault; read in large windows, memory stays one window and the kernel reads
 * ahead. The window is on the heap: records are parsed where they lie in it, and protobuf parses a heap array in
 * place but copies out of a direct buffer first, which cost more than the JDK's copy of each read into the heap.
 */
final class SegmentInput implements Closeable {
  private static final int WINDOW = 1 << 20;

  private final FileChannel channel;
  private final long size;
  private ByteBuffer window = ByteBuffer.allocate(WINDOW).limit(0);
  /** The file offset of the window's first byte. */
  private long start;

  SegmentInput(Path file) throws IOException {
    channel = FileChannel.open(file);
    size = channel.size();
  }

  long size() {
    return size;
  }

  /**
   * The {@code length} bytes at {@code offset}, which the file must hold, as a buffer indexed from 0; valid until the
   * next call.
   */
  ByteBuffer bytes(long offset, int length) throws IOException {
    if (offset < start || offset + length > start + window.limit()) {
      fill(offset, length);
    }
    return window.slice((int) (offset - start), length);
  }

  private void fill(long offset, int length) throws IOException {
    if (length > window.capacity()) {
      window = ByteBuffer.allocate(length); // a record larger than the window: rare, and as large as the record
    }
    window.clear().limit((int) Math.min(window.capacity(), size - offset));
    start = offset;
    while (window.hasRemaining()) {
      if (channel.read(window, start + window.position()) < 0) {
        throw new IOException("a journal segment ended at " + (start + window.position()) + " while read");
      }
    }
    window.flip();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
