package io.etcdsnapshotter.files;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The content of a snapshot file, read at any position: the file's bytes themselves, or what an encrypted file
 * decrypts to. Readers of a snapshot's pages see no difference.
 */
public interface ReadOnlyFile extends Closeable {
  /** Bytes of content. */
  long size() throws IOException;

  /** Reads into {@code dst} from content offset {@code position}; -1 at the end, as {@link FileChannel} does. */
  int read(ByteBuffer dst, long position) throws IOException;

  /**
   * The file whose bytes on disk are this content, for the kernel to copy; null when they are not (an encrypted
   * file's bytes are no use to a copy).
   */
  Path plainPath();

  /** The content of a file read as it is; closing it closes {@code channel}. */
  static ReadOnlyFile of(FileChannel channel, Path path) {
    return new ReadOnlyFile() {
      @Override
      public long size() throws IOException {
        return channel.size();
      }

      @Override
      public int read(ByteBuffer dst, long position) throws IOException {
        return channel.read(dst, position);
      }

      @Override
      public Path plainPath() {
        return path;
      }

      @Override
      public void close() throws IOException {
        channel.close();
      }
    };
  }
}
