package io.etcdsnapshotter.encryption;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The header of an encrypted snapshot file, which its chunks ({@link ChunkCipher}) follow. Big-endian:
 *
 * <pre>
 * magic "ETCDSEAL" (8) | version 1 (1) | chunk size (4) | nonce prefix (7, random per file)
 * | key id length (2) | key id (the KMS key's ARN, printable ASCII) | encrypted data key length (2)
 * | encrypted data key
 * </pre>
 *
 * The data key is only ever stored as KMS encrypted it. Every chunk authenticates the header's bytes, so no field of
 * it can change without every chunk failing. A bbolt file starts with page 0's id, eight zero bytes: it never
 * passes for one of these.
 */
final class SealedHeader {
  private static final byte[] MAGIC = "ETCDSEAL".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  static final int PREFIX_BYTES = 7;
  /**
   * Plaintext bytes per chunk unless told otherwise: one bbolt page of the usual size, so that a page read at random
   * (a tree walk's) decrypts little more than itself; the tag adds 0.4%.
   */
  static final int DEFAULT_CHUNK = 1 << 12;
  private static final int MIN_CHUNK = 1 << 12;
  private static final int MAX_CHUNK = 1 << 24;
  /** A KMS key ARN is at most 2048 bytes; a ciphertext blob of a 256-bit data key, a few hundred. */
  private static final int MAX_FIELD = 8192;
  private static final int FIXED = MAGIC.length + 1 + 4 + PREFIX_BYTES;
  /** The most bytes a header can take. */
  static final int MAX_LENGTH = FIXED + 2 + MAX_FIELD + 2 + MAX_FIELD;

  private final String keyId;
  private final byte[] encryptedKey;
  private final int chunkSize;
  private final byte[] noncePrefix;
  private final byte[] encoded;

  SealedHeader(String keyId, byte[] encryptedKey, int chunkSize, byte[] noncePrefix) {
    if (Integer.bitCount(chunkSize) != 1 || chunkSize < MIN_CHUNK || chunkSize > MAX_CHUNK) {
      throw new IllegalArgumentException("chunk size " + chunkSize + " is not a power of two in [4 KiB, 16 MiB]");
    }
    this.keyId = keyId;
    this.encryptedKey = encryptedKey.clone();
    this.chunkSize = chunkSize;
    this.noncePrefix = noncePrefix.clone();
    this.encoded = encode();
  }

  String keyId() {
    return keyId;
  }

  byte[] encryptedKey() {
    return encryptedKey.clone();
  }

  int chunkSize() {
    return chunkSize;
  }

  byte[] noncePrefix() {
    return noncePrefix.clone();
  }

  /** The header as it is on disk, which every chunk authenticates. */
  byte[] bytes() {
    return encoded.clone();
  }

  int length() {
    return encoded.length;
  }

  private byte[] encode() {
    byte[] id = keyId.getBytes(StandardCharsets.UTF_8);
    if (id.length == 0 || id.length > MAX_FIELD || encryptedKey.length == 0 || encryptedKey.length > MAX_FIELD) {
      throw new IllegalArgumentException("a key id and an encrypted key of 1 to " + MAX_FIELD + " bytes are needed");
    }
    ByteBuffer out = ByteBuffer.allocate(FIXED + 2 + id.length + 2 + encryptedKey.length);
    out.put(MAGIC).put((byte) VERSION).putInt(chunkSize).put(noncePrefix);
    out.putShort((short) id.length).put(id).putShort((short) encryptedKey.length).put(encryptedKey);
    return out.array();
  }

  /** Whether the file starts as an encrypted snapshot does. */
  static boolean startsOne(FileChannel file) throws IOException {
    ByteBuffer start = ByteBuffer.allocate(MAGIC.length);
    readFully(file, start, 0);
    return !start.hasRemaining() && Arrays.equals(start.array(), MAGIC);
  }

  /** Reads the header of a file that {@link #startsOne starts as one}; {@code path} names it in errors. */
  static SealedHeader read(FileChannel file, Path path) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(MAX_LENGTH);
    readFully(file, head, 0);
    return parse(head.flip(), path + " is encrypted but", "snapshot");
  }

  /**
   * The header at the start of {@code bytes}, which must hold all of it ({@link #MAX_LENGTH} bytes hold any);
   * errors begin with {@code what} ("FILE is encrypted but") and end by naming another {@code kind} to use.
   */
  static SealedHeader parse(ByteBuffer bytes, String what, String kind) throws IOException {
    ByteBuffer in = bytes.duplicate();
    try {
      in.position(in.position() + MAGIC.length);
      int version = Byte.toUnsignedInt(in.get());
      if (version != VERSION) {
        throw new IOException(what + " its encryption header has format version " + version + ", which this release"
            + " cannot read (it reads version " + VERSION + "); use a newer etcd-snapshotter");
      }
      int chunkSize = in.getInt();
      byte[] prefix = new byte[PREFIX_BYTES];
      in.get(prefix);
      byte[] id = field(in, what, kind, "key id");
      if (!printable(id)) {
        // A damaged length reads on into the bytes after the id: they must never reach a message, nor KMS.
        throw new IOException(what + " its encryption header is damaged (a key id of " + id.length + " bytes that"
            + " are not all printable ASCII, as every KMS key id, alias and ARN is); use another " + kind);
      }
      byte[] key = field(in, what, kind, "encrypted data key");
      return new SealedHeader(new String(id, StandardCharsets.US_ASCII), key, chunkSize, prefix);
    } catch (BufferUnderflowException e) {
      throw new IOException(what + " ends inside its encryption header: it is truncated; use another " + kind, e);
    } catch (IllegalArgumentException e) {
      throw new IOException(what + " its encryption header is damaged (" + e.getMessage() + "); use another "
          + kind, e);
    }
  }

  private static byte[] field(ByteBuffer in, String what, String kind, String name) throws IOException {
    int length = Short.toUnsignedInt(in.getShort());
    if (length == 0 || length > MAX_FIELD) {
      throw new IOException(what + " its encryption header is damaged (" + name + " of " + length + " bytes); use"
          + " another " + kind);
    }
    byte[] field = new byte[length];
    in.get(field);
    return field;
  }

  private static boolean printable(byte[] id) {
    for (byte b : id) {
      if (b < 0x21 || b > 0x7e) {
        return false;
      }
    }
    return true;
  }

  /** Reads until {@code buf} is full or the file ends. */
  static void readFully(FileChannel file, ByteBuffer buf, long position) throws IOException {
    long at = position;
    while (buf.hasRemaining()) {
      int n = file.read(buf, at);
      if (n < 0) {
        return;
      }
      at += n;
    }
  }
}
