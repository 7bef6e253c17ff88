package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.inspect.SnapshotStatus;
import io.etcdsnapshotter.volume.SnapshotIndex;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads a freshly streamed file as a database before it may replace the previous snapshot: etcd's digest only
 * proves the bytes arrived as sent, this proves they are a sound bbolt file, and yields what the index records: the
 * status etcdutl of the file's own storage version prints ({@link SnapshotStatus#of(Path)}), so the numbers in
 * {@code snapshots.json} are the ones an operator gets from {@code status FILE} or from that etcdutl.
 */
final class SnapshotCheck {
  private SnapshotCheck() {}

  static SnapshotIndex.Entry inspect(Path file) throws IOException {
    SnapshotStatus status;
    try {
      status = SnapshotStatus.of(file);
    } catch (IOException e) {
      throw new IOException("the streamed file is not a sound database, previous snapshot kept: " + e.getMessage(), e);
    }
    SnapshotIndex.Entry entry = new SnapshotIndex.Entry();
    entry.revision = status.revision();
    entry.hash = status.hash();
    entry.totalKey = status.totalKey();
    entry.totalSize = status.totalSize();
    // AUTO reports a version exactly when the file has a storage version etcdutl can parse, so this is that
    // version, or null (left out of the index) for a file of etcd 3.4/3.5.
    entry.storageVersion = status.version();
    return entry;
  }
}
