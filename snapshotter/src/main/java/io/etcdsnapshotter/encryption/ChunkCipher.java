package io.etcdsnapshotter.encryption;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One file's chunks: AES-256-GCM (the JDK's, with its AES and GHASH intrinsics) under the file's data key. Chunk i's
 * 12-byte nonce is the file's random prefix, i (4 bytes) and a flag set only on the last chunk; its associated data
 * is the file's header (after the context of the file it sits in, if any). A chunk therefore decrypts only at its own place in its own file, and only the true last
 * chunk decrypts as the last: moved, swapped, dropped, cut off, appended to, or taken from another file, a chunk
 * fails authentication. Each chunk is {@link #TAG} bytes longer than its plaintext.
 */
final class ChunkCipher {
  static final int TAG = 16;
  private static final long MAX_CHUNKS = 1L << 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SealedHeader header;
  private final SecretKeySpec key;
  private final byte[] associated;
  private final byte[] nonce = new byte[12];
  private final Cipher cipher;

  /** {@code dataKey} is copied (the caller zeroes its own copy); the JDK's key object cannot be wiped. */
  private ChunkCipher(byte[] dataKey, SealedHeader header, byte[] context) {
    if (dataKey.length != 32) {
      throw new IllegalArgumentException("an AES-256 data key has 32 bytes, not " + dataKey.length);
    }
    this.header = header;
    this.key = new SecretKeySpec(dataKey, "AES");
    byte[] own = header.bytes();
    this.associated = Arrays.copyOf(context, context.length + own.length);
    System.arraycopy(own, 0, associated, context.length, own.length);
    System.arraycopy(header.noncePrefix(), 0, nonce, 0, SealedHeader.PREFIX_BYTES);
    this.cipher = newCipher();
  }

  /**
   * The cipher of a new file under {@code key}, with a random nonce prefix; {@code context} (empty for a file of its
   * own) is authenticated by every chunk before the header.
   */
  static ChunkCipher create(DataKey key, int chunkSize, byte[] context) {
    byte[] prefix = new byte[SealedHeader.PREFIX_BYTES];
    RANDOM.nextBytes(prefix);
    byte[] dataKey = key.plaintext();
    try {
      return new ChunkCipher(dataKey, new SealedHeader(key.keyId(), key.encrypted(), chunkSize, prefix), context);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  /**
   * The cipher of a file written with {@code header}, its data key recovered through {@code keys}; fails in one
   * line beginning with {@code name}.
   */
  static ChunkCipher open(SealedHeader header, byte[] context, DataKeys keys, String name) throws IOException {
    byte[] dataKey;
    try {
      dataKey = keys.plaintext(header.keyId(), header.encryptedKey());
    } catch (IOException e) {
      throw new IOException(name + ": cannot decrypt its data key: " + e.getMessage(), e);
    }
    try {
      return new ChunkCipher(dataKey, header, context);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  SealedHeader header() {
    return header;
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM lacks AES-GCM", e);
    }
  }

  private ChunkCipher(ChunkCipher original) {
    this.header = original.header;
    this.key = original.key;
    this.associated = original.associated;
    System.arraycopy(original.nonce, 0, nonce, 0, SealedHeader.PREFIX_BYTES);
    this.cipher = newCipher();
  }

  /** The same file's cipher for another thread: a JDK Cipher serves one thread at a time. */
  ChunkCipher twin() {
    return new ChunkCipher(this);
  }

  /**
   * Encrypts {@code length} bytes of {@code in} into {@code out} at {@code at} (which has room for the tag); returns
   * the length written.
   */
  int encrypt(long index, boolean last, byte[] in, int length, byte[] out, int at) {
    try {
      init(Cipher.ENCRYPT_MODE, index, last);
      return cipher.doFinal(in, 0, length, out, at);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM refused to encrypt chunk " + index, e);
    }
  }

  /**
   * Decrypts the chunk of {@code length} bytes at {@code in[from]} into {@code out} at {@code at}; returns the
   * plaintext length.
   */
  int decrypt(long index, boolean last, byte[] in, int from, int length, byte[] out, int at)
      throws AEADBadTagException {
    try {
      init(Cipher.DECRYPT_MODE, index, last);
      return cipher.doFinal(in, from, length, out, at);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM refused to decrypt chunk " + index, e);
    }
  }

  private void init(int mode, long index, boolean last) throws GeneralSecurityException {
    if (index < 0 || index >= MAX_CHUNKS) {
      throw new IllegalArgumentException("chunk " + index + " is past the 2^32 chunks a file may have");
    }
    nonce[7] = (byte) (index >>> 24);
    nonce[8] = (byte) (index >>> 16);
    nonce[9] = (byte) (index >>> 8);
    nonce[10] = (byte) index;
    nonce[11] = (byte) (last ? 1 : 0);
    cipher.init(mode, key, new GCMParameterSpec(TAG * 8, nonce));
    cipher.updateAAD(associated);
  }
}
