package io.etcdsnapshotter.encryption;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A fresh data key for one file, as KMS's GenerateDataKey returns it: the plaintext key, held in memory only while
 * the file is written and checked, and zeroed on close; and the same key encrypted under the KMS key, which is all the
 * file ever stores.
 */
public final class DataKey implements AutoCloseable {
  private final String keyId;
  private final byte[] plaintext;
  private final byte[] encrypted;

  /** Takes {@code plaintext} over (it is zeroed on close). {@code keyId}: the KMS key's ARN. */
  public DataKey(String keyId, byte[] plaintext, byte[] encrypted) {
    this.keyId = keyId;
    this.plaintext = plaintext;
    this.encrypted = encrypted.clone();
  }

  public String keyId() {
    return keyId;
  }

  byte[] encrypted() {
    return encrypted.clone();
  }

  /** A copy of the plaintext key, for the caller to zero. */
  byte[] plaintext() {
    return plaintext.clone();
  }

  /**
   * Reads back the files written with this key without asking KMS (whose Decrypt a run that only writes need not be
   * allowed); any other encrypted file fails.
   */
  public DataKeys reader() {
    return readerOr((id, blob) -> {
      throw new IOException("it is encrypted with another data key than this run's (KMS key " + id + ")");
    });
  }

  /** Reads back the files written with this key without asking KMS, and any other file through {@code others}. */
  public DataKeys readerOr(DataKeys others) {
    return (id, blob) -> id.equals(keyId) && MessageDigest.isEqual(blob, encrypted) ? plaintext()
        : others.plaintext(id, blob);
  }

  @Override
  public void close() {
    Arrays.fill(plaintext, (byte) 0);
  }
}
