package io.etcdsnapshotter.inspect;

import io.etcdsnapshotter.bolt.FileAccess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 digest etcd appends to a snapshot stream. etcd decides a file has one iff {@code size % 512 == 32}: a
 * bbolt file is a whole number of pages of at least 1 KiB, so a db copied from a data dir never matches.
 */
public record IntegrityTrailer(boolean present, String stored, String computed) {
  public static final int SIZE = 32;
  private static final int CHUNK = 1 << 20;

  public static boolean expectedFor(long fileSize) {
    return fileSize % 512 == SIZE;
  }

  /** Reads the trailer, if the file has one, and hashes everything before it in 1 MiB chunks. */
  public static IntegrityTrailer check(Path file) throws IOException {
    try (FileChannel channel = FileAccess.openReadOnly(file)) {
      long size = channel.size();
      if (!expectedFor(size)) {
        return new IntegrityTrailer(false, null, null);
      }
      MessageDigest sha = sha256();
      ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
      long body = size - SIZE;
      for (long at = 0; at < body; ) {
        chunk.clear().limit((int) Math.min(CHUNK, body - at));
        at += readFully(channel, chunk, at);
        sha.update(chunk.flip());
      }
      ByteBuffer trailer = ByteBuffer.allocate(SIZE);
      readFully(channel, trailer, body);
      HexFormat hex = HexFormat.of();
      return new IntegrityTrailer(true, hex.formatHex(trailer.array()), hex.formatHex(sha.digest()));
    }
  }

  public boolean matches() {
    return present && stored.equals(computed);
  }

  private static int readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
    int total = 0;
    while (buf.hasRemaining()) {
      int n = channel.read(buf, position + total);
      if (n < 0) {
        throw new IOException("the file shrank while it was read");
      }
      total += n;
    }
    return total;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
