package io.etcdsnapshotter.encryption;

import java.io.IOException;

/** Recovers the data key of an encrypted file from what its header holds: KMS's Decrypt, or the key just made. */
@FunctionalInterface
public interface DataKeys {
  /** For reading plain files only: an encrypted one fails, naming its key. */
  DataKeys NONE = (keyId, encryptedKey) -> {
    throw new IOException("it is encrypted with KMS key " + keyId + " and no KMS access was given for it");
  };

  /**
   * The 32-byte data key that {@code encryptedKey} holds under the KMS key {@code keyId}; the caller zeroes it after
   * use. Fails with one line naming the key and what to do.
   */
  byte[] plaintext(String keyId, byte[] encryptedKey) throws IOException;
}
