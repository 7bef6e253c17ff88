package io.etcdsnapshotter.s3;

import com.google.common.io.ByteStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import software.amazon.awssdk.http.ContentStreamProvider;

/** A file cut into the parts of a multipart upload, each read from the file when it is sent, with their hashes. */
final class FileParts {
  private static final int READ = 1 << 20;
  private final Path file;
  private final PartHashes hashes;

  private FileParts(Path file, PartHashes hashes) {
    this.file = file;
    this.hashes = hashes;
  }

  /**
   * {@code file} with the {@code hashes} of its bytes, taken as it was written; a file whose size differs from what
   * was hashed fails here (and one whose bytes differ, when S3 checks a part).
   */
  static FileParts hashed(Path file, PartHashes hashes) throws IOException {
    try (FileChannel channel = FileChannel.open(file)) {
      if (channel.size() != hashes.size()) {
        throw new IOException(file + " holds " + channel.size() + " bytes, not the " + hashes.size()
            + " it held when it was written: it changed since; upload it again once nothing writes it");
      }
    }
    return new FileParts(file, hashes);
  }

  /** {@code file}, hashed by one sequential read before its upload. */
  static FileParts read(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file)) {
      long size = channel.size();
      PartHashes.Hasher hasher = new PartHashes.Hasher(PartHashes.partSize(size));
      ByteBuffer buffer = ByteBuffer.allocateDirect(READ);
      while (hasher.size() < size) {
        buffer.clear().limit((int) Math.min(READ, size - hasher.size()));
        if (channel.read(buffer, hasher.size()) < 0) {
          throw new IOException(file + " shrank to " + hasher.size() + " bytes while it was read for its upload");
        }
        hasher.update(buffer.flip());
      }
      return new FileParts(file, hasher.finish());
    }
  }

  Path file() {
    return file;
  }

  PartHashes hashes() {
    return hashes;
  }

  long length(int number) {
    long partSize = hashes.partSize();
    return Math.min(hashes.size(), number * partSize) - (number - 1) * partSize;
  }

  /** The part's bytes, read afresh from the file each time the SDK asks (for a retry, say): nothing is buffered. */
  ContentStreamProvider content(int number) {
    long offset = (number - 1) * hashes.partSize();
    long length = length(number);
    return () -> {
      try {
        FileChannel channel = FileChannel.open(file);
        channel.position(offset);
        InputStream in = Channels.newInputStream(channel);
        return ByteStreams.limit(in, length);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    };
  }
}
