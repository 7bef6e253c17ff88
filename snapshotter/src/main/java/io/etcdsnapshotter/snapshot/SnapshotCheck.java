package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.inspect.HeapTooSmallException;
import io.etcdsnapshotter.inspect.SnapshotStatus;
import io.etcdsnapshotter.inspect.StatusSemantics;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a freshly streamed file as a database before it may replace the previous snapshot: etcd's digest only
 * proves the bytes arrived as sent, this proves they are a sound bbolt file, and yields what the index records: the
 * status etcdutl of the file's own storage version prints ({@link StatusSemantics#AUTO}), so the numbers in
 * {@code snapshots.json} are the ones an operator gets from {@code status FILE} or from that etcdutl.
 */
final class SnapshotCheck {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotCheck.class);

  private SnapshotCheck() {}

  /**
   * What the file holds, under the names {@code snapshots.json} gives them; totalKey is null when the heap could not
   * count the live keys, storageVersion is null for a file of etcd 3.4/3.5.
   */
  record Contents(long revision, long hash, Long totalKey, long totalSize, String storageVersion) {
    private Contents(SnapshotStatus status, Long totalKey, String storageVersion) {
      this(status.revision(), status.hash(), totalKey, status.totalSize(), storageVersion);
    }
  }

  /** {@code keys}: the data key of an encrypted file, which is then read back without its plaintext on disk. */
  static Contents inspect(Path file, DataKeys keys) throws IOException {
    try {
      try {
        SnapshotStatus status = SnapshotStatus.of(file, StatusSemantics.AUTO, keys);
        // AUTO reports a version exactly when the file has a storage version etcdutl can parse, so this is that
        // version, or null (left out of the index) for a file of etcd 3.4/3.5.
        return new Contents(status, status.totalKey(), status.version());
      } catch (HeapTooSmallException e) {
        // A sound snapshot is never thrown away for want of heap to count its live keys: it is checked again
        // without the count, kept, and recorded without a totalKey.
        LOG.warn("{}; the snapshot is kept and snapshots.json records no totalKey for it", e.getMessage());
        return new Contents(SnapshotStatus.of(file, StatusSemantics.ETCD_35, keys), null, e.storageVersion());
      }
    } catch (IOException e) {
      throw new IOException("the streamed file is not a sound database, previous snapshot kept: " + e.getMessage(), e);
    }
  }
}
