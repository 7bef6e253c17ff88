package io.etcdsnapshotter.s3;

import com.google.common.io.ByteStreams;
import io.etcdsnapshotter.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import software.amazon.awssdk.http.ContentStreamProvider;

/**
 * A file cut into the parts of a multipart upload, with the SHA-256 of the whole file and of each part, all from one
 * sequential read before the upload starts: the whole file's goes into the object's metadata, which S3 takes only
 * when the upload begins, and each part's goes with the part, so that S3 refuses a part whose bytes differ from what
 * was hashed. The object S3 assembles is then exactly the bytes its metadata vouches for.
 */
final class FileParts {
  /** Parts of this size keep an 8 GiB file at 512 parts, well within S3's 10,000. */
  static final long PART_SIZE = 16L << 20;
  private static final int MAX_PARTS = 10_000;
  private static final int READ = 1 << 20;
  private final Path file;
  private final long size;
  private final long partSize;
  private final String sha256;
  private final List<String> partSha256;

  private FileParts(Path file, long size, long partSize, String sha256, List<String> partSha256) {
    this.file = file;
    this.size = size;
    this.partSize = partSize;
    this.sha256 = sha256;
    this.partSha256 = partSha256;
  }

  static FileParts read(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file)) {
      long size = channel.size();
      long partSize = Math.max(PART_SIZE, (size + MAX_PARTS - 1) / MAX_PARTS);
      MessageDigest whole = Sha256.digest();
      List<String> parts = new ArrayList<>();
      ByteBuffer buffer = ByteBuffer.allocateDirect(READ);
      for (long start = 0; start < size || parts.isEmpty(); start += partSize) {
        MessageDigest part = Sha256.digest();
        long end = Math.min(size, start + partSize);
        for (long at = start; at < end; ) {
          buffer.clear().limit((int) Math.min(READ, end - at));
          int read = channel.read(buffer, at);
          if (read < 0) {
            throw new IOException(file + " shrank to " + at + " bytes while it was read for its upload");
          }
          at += read;
          whole.update(buffer.flip().duplicate());
          part.update(buffer);
        }
        parts.add(Base64.getEncoder().encodeToString(part.digest()));
      }
      return new FileParts(file, size, partSize, HexFormat.of().formatHex(whole.digest()), List.copyOf(parts));
    }
  }

  long size() {
    return size;
  }

  String sha256() {
    return sha256;
  }

  int count() {
    return partSha256.size();
  }

  /** Part {@code number} (from 1)'s SHA-256, base64 as S3 takes it. */
  String sha256Base64(int number) {
    return partSha256.get(number - 1);
  }

  long length(int number) {
    return Math.min(size, number * partSize) - (number - 1) * partSize;
  }

  /** The part's bytes, read afresh from the file each time the SDK asks (for a retry, say): nothing is buffered. */
  ContentStreamProvider content(int number) {
    long offset = (number - 1) * partSize;
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
