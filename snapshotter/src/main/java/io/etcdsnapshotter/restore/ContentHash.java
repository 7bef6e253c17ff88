package io.etcdsnapshotter.restore;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * etcd's {@code snapshot status} hash of a db's content, and its pair count (totalKey of etcd 3.4/3.5): CRC-32C over
 * each bucket name followed by its keys and values, in order. The restore computes it from what the db must hold;
 * reading the db back must give the same.
 */
final class ContentHash {
  private final CRC32C crc = new CRC32C();
  private long pairs;

  void bucket(byte[] name) {
    crc.update(name);
  }

  /** Hashes the pair from each buffer's position to its limit; the buffers are left as they were. */
  void pair(ByteBuffer key, ByteBuffer value) {
    crc.update(key.duplicate());
    crc.update(value.duplicate());
    pairs++;
  }

  long value() {
    return crc.getValue();
  }

  long pairs() {
    return pairs;
  }
}
