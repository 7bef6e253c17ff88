package io.etcdsnapshotter.encryption;

import java.io.IOException;
import java.nio.ByteBuffer;
import javax.crypto.AEADBadTagException;

/**
 * Seals the records of a file that grows record by record (a journal segment), each on its own with AES-256-GCM
 * under the file's data key, where a file of fixed chunks cannot serve: a segment must read back up to its last
 * fsync. Record i's nonce is the file's random prefix and i, so a record decrypts only at its own place in its own
 * file; every record authenticates {@code context} (the fields of the file's own header) and the encryption header,
 * so neither changes unnoticed. The end of the file is not sealed: framing says where its last whole record ends.
 */
public final class SealedRecords {
  /** Bytes a sealed record has beyond its plaintext. */
  public static final int OVERHEAD = ChunkCipher.TAG;
  /** The most bytes an encryption header can take. */
  public static final int MAX_HEADER = SealedHeader.MAX_LENGTH;

  private final ChunkCipher cipher;

  private SealedRecords(ChunkCipher cipher) {
    this.cipher = cipher;
  }

  /** A new file's records under {@code key}; its {@link #header} goes into the file before any record. */
  public static SealedRecords create(DataKey key, byte[] context) {
    return new SealedRecords(ChunkCipher.create(key, SealedHeader.DEFAULT_CHUNK, context));
  }

  /**
   * The records of a file whose encryption header starts {@code header}, the data key recovered through {@code keys};
   * fails in one line that begins with {@code name} and ends by naming another {@code kind} to use.
   */
  public static SealedRecords open(ByteBuffer header, byte[] context, DataKeys keys, String name, String kind)
      throws IOException {
    SealedHeader parsed = SealedHeader.parse(header, name + " is encrypted but", kind);
    return new SealedRecords(ChunkCipher.open(parsed, context, keys, name));
  }

  /** The encryption header: it names the KMS key and holds the data key as KMS encrypted it. */
  public byte[] header() {
    return cipher.header().bytes();
  }

  /** Record {@code index} of the file, sealed: {@link #OVERHEAD} bytes longer than {@code plain}. */
  public byte[] seal(long index, byte[] plain) {
    byte[] sealed = new byte[plain.length + OVERHEAD];
    cipher.encrypt(index, false, plain, plain.length, sealed, 0);
    return sealed;
  }

  /** Record {@code index} of the file, opened; fails when it was sealed elsewhere, changed, or with another key. */
  public byte[] open(long index, byte[] sealed) throws IOException {
    if (sealed.length < OVERHEAD) {
      throw new IOException("a sealed record of " + sealed.length + " bytes is shorter than its tag");
    }
    byte[] plain = new byte[sealed.length - OVERHEAD];
    try {
      cipher.decrypt(index, false, sealed, 0, sealed.length, plain, 0);
    } catch (AEADBadTagException e) {
      throw new IOException("record " + index + " does not decrypt: it was changed, moved, or sealed in another"
          + " file");
    }
    return plain;
  }
}
