package io.etcdsnapshotter.s3;

import io.etcdsnapshotter.Sha256;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The SHA-256 of a file's bytes and of each part of its multipart upload: the whole file's goes into the object's
 * metadata, which S3 takes only when the upload begins, and each part's goes with the part, so that S3 refuses a part
 * whose bytes differ from what was hashed. The object S3 assembles is then exactly the bytes its metadata vouches
 * for, whenever and from whichever read of the file the hashes came.
 */
public final class PartHashes {
  /** Parts of this size keep an 8 GiB file at 512 parts, well within S3's 10,000. */
  static final long PART_SIZE = 16L << 20;
  static final int MAX_PARTS = 10_000;
  private final long size;
  private final long partSize;
  private final String sha256;
  private final List<String> partSha256;

  private PartHashes(long size, long partSize, String sha256, List<String> partSha256) {
    this.size = size;
    this.partSize = partSize;
    this.sha256 = sha256;
    this.partSha256 = partSha256;
  }

  /** The part size of a file of {@code size} bytes: {@link #PART_SIZE}, or more for a file of over 156 GiB. */
  static long partSize(long size) {
    return Math.max(PART_SIZE, (size + MAX_PARTS - 1) / MAX_PARTS);
  }

  long size() {
    return size;
  }

  long partSize() {
    return partSize;
  }

  /** The whole file's SHA-256, hex. */
  public String sha256() {
    return sha256;
  }

  int count() {
    return partSha256.size();
  }

  /** Part {@code number} (from 1)'s SHA-256, base64 as S3 takes it. */
  String sha256Base64(int number) {
    return partSha256.get(number - 1);
  }

  /** Takes a file's bytes in order, from its first. */
  static final class Hasher {
    private final long partSize;
    private final MessageDigest whole = Sha256.digest();
    private final List<String> parts = new ArrayList<>();
    private final MessageDigest part = Sha256.digest();
    private long inPart;
    private long size;

    Hasher(long partSize) {
      this.partSize = partSize;
    }

    /** Hashes what {@code bytes} holds; leaves its position where it was. */
    void update(ByteBuffer bytes) {
      ByteBuffer rest = bytes.duplicate();
      while (rest.hasRemaining()) {
        if (inPart == partSize) {
          endPart();
        }
        int n = (int) Math.min(partSize - inPart, rest.remaining());
        ByteBuffer piece = rest.duplicate().limit(rest.position() + n);
        whole.update(piece.duplicate());
        part.update(piece);
        rest.position(rest.position() + n);
        inPart += n;
        size += n;
      }
    }

    long size() {
      return size;
    }

    /** The hashes of the bytes taken; a file of no bytes is one empty part. */
    PartHashes finish() {
      endPart();
      return new PartHashes(size, partSize, HexFormat.of().formatHex(whole.digest()), List.copyOf(parts));
    }

    private void endPart() {
      parts.add(Base64.getEncoder().encodeToString(part.digest()));
      inPart = 0;
    }
  }
}
