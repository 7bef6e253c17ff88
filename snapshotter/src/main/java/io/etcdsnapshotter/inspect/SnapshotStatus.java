package io.etcdsnapshotter.inspect;

import io.etcdsnapshotter.bolt.BoltFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What {@code etcdctl snapshot status} (3.4) and {@code etcdutl snapshot status} (3.5) report, under their JSON names:
 * CRC-32C over all buckets, the highest revision in {@code key}, the pairs over all buckets, and pgid * pageSize.
 */
public record SnapshotStatus(long hash, long revision, long totalKey, long totalSize) {
  /** Computes the status of a snapshot or bbolt file, checking its whole structure on the way. */
  public static SnapshotStatus of(Path file) throws IOException {
    try (BoltFile bolt = BoltFile.open(file)) {
      StatusCalculator calculator = new StatusCalculator(file);
      bolt.scan(calculator);
      return calculator.result(bolt.dataSize());
    }
  }

  /** The exact line etcdctl/etcdutl print for {@code -w json}. */
  public String toJson() {
    return "{\"hash\":" + hash + ",\"revision\":" + revision + ",\"totalKey\":" + totalKey
        + ",\"totalSize\":" + totalSize + "}";
  }
}
