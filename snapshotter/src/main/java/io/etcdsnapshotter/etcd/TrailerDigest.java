package io.etcdsnapshotter.etcd;

import io.etcdsnapshotter.Sha256;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * SHA-256 of a stream except its last 32 bytes, which etcd sends as the digest of everything before them. It keeps
 * only those 32 bytes back, so a stream of any size is checked as it arrives.
 */
final class TrailerDigest {
  static final int SIZE = 32;
  private final MessageDigest sha256;
  private final byte[] tail = new byte[SIZE];
  private int tailLength;
  private long total;

  TrailerDigest() {
    sha256 = Sha256.digest();
  }

  void update(ByteBuffer chunk) {
    int length = chunk.remaining();
    total += length;
    int release = tailLength + length - SIZE;
    if (release > 0) {
      int fromTail = Math.min(release, tailLength);
      sha256.update(tail, 0, fromTail);
      System.arraycopy(tail, fromTail, tail, 0, tailLength - fromTail);
      tailLength -= fromTail;
      ByteBuffer head = chunk.duplicate();
      head.limit(head.position() + release - fromTail);
      sha256.update(head);
      chunk.position(head.limit());
    }
    int rest = chunk.remaining();
    chunk.get(tail, tailLength, rest);
    tailLength += rest;
  }

  long total() {
    return total;
  }

  /** The digest of the database part; throws when the stream did not end with a matching trailer. */
  String verify() throws java.io.IOException {
    if (tailLength < SIZE) {
      throw new java.io.IOException("stream ended after " + total + " bytes, before etcd's SHA-256 trailer");
    }
    byte[] computed = sha256.digest();
    if (!MessageDigest.isEqual(computed, tail)) {
      throw new java.io.IOException("SHA-256 mismatch: etcd sent " + HexFormat.of().formatHex(tail)
          + " but the received data hashes to " + HexFormat.of().formatHex(computed));
    }
    return HexFormat.of().formatHex(computed);
  }
}
