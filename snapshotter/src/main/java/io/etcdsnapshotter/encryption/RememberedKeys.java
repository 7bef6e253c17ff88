package io.etcdsnapshotter.encryption;

import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The data keys one command recovers through {@code source}, each asked for once however often its file is opened:
 * {@code verify} opens an encrypted file on two threads at once (the scan and the SHA-256), and again for its server
 * check or trial restore, and each KMS client it would start costs about half a second of CPU. The keys stay in
 * memory, as the open files' ciphers hold them anyway, until closed, then are zeroed.
 */
public final class RememberedKeys implements DataKeys, AutoCloseable {
  private final DataKeys source;
  private final Map<String, byte[]> keys = new HashMap<>();

  public RememberedKeys(DataKeys source) {
    this.source = source;
  }

  @Override
  public synchronized byte[] plaintext(String keyId, byte[] encryptedKey) throws IOException {
    String id = keyId + " " + Base64.getEncoder().encodeToString(encryptedKey);
    byte[] key = keys.get(id);
    if (key == null) {
      key = source.plaintext(keyId, encryptedKey);
      keys.put(id, key);
    }
    return key.clone();
  }

  @Override
  public synchronized void close() {
    keys.values().forEach(key -> Arrays.fill(key, (byte) 0));
    keys.clear();
  }
}
