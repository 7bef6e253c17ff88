package io.etcdsnapshotter.inspect;

import io.etcdsnapshotter.Background;
import io.etcdsnapshotter.Sha256;
import io.etcdsnapshotter.bolt.SnapshotFiles;
import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.files.ReadOnlyFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The SHA-256 digest etcd appends to a snapshot stream. etcd decides a file has one iff {@code size % 512 == 32}: a
 * bbolt file is a whole number of pages of at least 1 KiB, so a db copied from a data dir never matches.
 *
 * @param content the SHA-256 of all the content, trailer included: of a plain file, what {@code sha256sum} prints,
 *     had at no extra read
 */
public record IntegrityTrailer(boolean present, String stored, String computed, String content) {
  public static final int SIZE = 32;
  private static final int CHUNK = 1 << 20;

  public static boolean expectedFor(long fileSize) {
    return fileSize % 512 == SIZE;
  }

  /** As {@link #check(Path, DataKeys)}, for a plain file. */
  public static IntegrityTrailer check(Path file) throws IOException {
    return check(file, DataKeys.NONE);
  }

  /**
   * Reads the trailer, if the file's content has one, and hashes everything before it in 1 MiB chunks; an
   * encrypted file's content is decrypted with the key {@code keys} gives.
   */
  public static IntegrityTrailer check(Path file, DataKeys keys) throws IOException {
    try (ReadOnlyFile content = SnapshotFiles.open(file, keys)) {
      long size = content.size();
      Digest digest = new Digest(size);
      feed(content, expectedFor(size) ? size : 0, digest);
      return digest.result();
    }
  }

  /**
   * The trailer check of a plain snapshot {@code file} of {@code size} bytes about to be cut off or written past its
   * first {@code size - 32}: reads the trailer now, and returns the hashing of those bytes to run later (on a thread
   * of its own, say), whatever has happened after them meanwhile.
   */
  public static Background.Task<IntegrityTrailer> checkLater(Path file, long size) throws IOException {
    Digest digest = new Digest(size);
    if (!digest.present) {
      return digest::result;
    }
    ByteBuffer stored = ByteBuffer.allocate(SIZE);
    try (ReadOnlyFile content = SnapshotFiles.open(file, DataKeys.NONE)) {
      readFully(content, stored, digest.body);
    }
    return () -> {
      try (ReadOnlyFile content = SnapshotFiles.open(file, DataKeys.NONE)) {
        feed(content, digest.body, digest);
      }
      digest.update(stored.flip());
      return digest.result();
    };
  }

  private static void feed(ReadOnlyFile content, long upTo, Digest digest) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
    for (long at = 0; at < upTo; ) {
      chunk.clear().limit((int) Math.min(CHUNK, upTo - at));
      at += readFully(content, chunk, at);
      digest.update(chunk.flip());
    }
  }

  public boolean matches() {
    return present && stored.equals(computed);
  }

  /**
   * The trailer check of content of a known size, fed in order as it passes (decrypted, say), so the content needs
   * no second read.
   */
  public static final class Digest {
    private final MessageDigest sha = Sha256.digest();
    private final boolean present;
    private final long body;
    private final byte[] trailer = new byte[SIZE];
    private long seen;

    public Digest(long size) {
      this.present = expectedFor(size);
      this.body = size - SIZE;
    }

    /** The next bytes of the content. */
    public void update(ByteBuffer piece) {
      if (!present) {
        return;
      }
      ByteBuffer rest = piece.duplicate();
      if (seen < body) {
        int hashed = (int) Math.min(rest.remaining(), body - seen);
        sha.update(rest.duplicate().limit(rest.position() + hashed));
        rest.position(rest.position() + hashed);
        seen += hashed;
      }
      if (rest.hasRemaining()) {
        int stored = Math.min(rest.remaining(), SIZE - (int) (seen - body));
        rest.get(trailer, (int) (seen - body), stored);
        seen += stored;
      }
    }

    /** What the content held once all of it has passed. */
    public IntegrityTrailer result() {
      if (!present) {
        return new IntegrityTrailer(false, null, null, null);
      }
      HexFormat hex = HexFormat.of();
      MessageDigest whole = copy(sha);
      whole.update(trailer);
      return new IntegrityTrailer(true, hex.formatHex(trailer), hex.formatHex(sha.digest()),
          hex.formatHex(whole.digest()));
    }

    private static MessageDigest copy(MessageDigest sha) {
      try {
        return (MessageDigest) sha.clone();
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException("the JVM's SHA-256 cannot be copied", e);
      }
    }
  }

  private static int readFully(ReadOnlyFile content, ByteBuffer buf, long position) throws IOException {
    int total = 0;
    while (buf.hasRemaining()) {
      int n = content.read(buf, position + total);
      if (n < 0) {
        throw new IOException("the file shrank while it was read");
      }
      total += n;
    }
    return total;
  }
}
