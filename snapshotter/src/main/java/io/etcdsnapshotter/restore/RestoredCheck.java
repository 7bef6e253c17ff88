package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.inspect.SnapshotStatus;
import io.etcdsnapshotter.inspect.StatusSemantics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads a freshly written data dir back (the db with a full bbolt structure check) and checks what etcd needs to start from it and not lose writes:
 * the db reads back exactly what was written, consistent_index = commit = snapshot index = N, term = 1, the new
 * members and nothing else, and the WAL and .snap hold the expected bytes.
 */
final class RestoredCheck {
  private final Cluster cluster;

  private RestoredCheck(Cluster cluster) {
    this.cluster = cluster;
  }

  static SnapshotStatus verify(Path snapDir, Path walDir, Cluster cluster, ContentHash expected)
      throws IOException {
    return new RestoredCheck(cluster).run(snapDir, walDir, expected);
  }

  private SnapshotStatus run(Path snapDir, Path walDir, ContentHash expected) throws IOException {
    Path db = snapDir.resolve("db");
    // Like with like: the expected content counts every pair, which is totalKey under 3.5 semantics only. Those
    // never parse a value either, so the check cannot fail on what etcdutl's restore copies without reading.
    SnapshotStatus status = SnapshotStatus.of(db, StatusSemantics.ETCD_35);
    expect(status.hash() == expected.value() && status.totalKey() == expected.pairs(),
        "the restored db does not read back what it must hold");
    try (BoltFile restored = BoltFile.open(db)) {
      long n = cluster.members().size();
      expect(Arrays.equals(get(restored, Backend.META, Backend.CONSISTENT_INDEX), Backend.bigEndian(n)),
          "meta/consistent_index is not " + n);
      expect(Arrays.equals(get(restored, Backend.META, Backend.TERM), Backend.bigEndian(1)), "meta/term is not 1");
      checkMembers(restored);
    }
    checkFile(walDir.resolve(WalFile.NAME), WalFile.bytes(cluster), WalFile.SEGMENT_SIZE);
    byte[] snap = SnapFile.bytes(cluster);
    checkFile(snapDir.resolve(SnapFile.name(cluster)), snap, snap.length);
    return status;
  }

  private void checkMembers(BoltFile restored) throws IOException {
    long[] count = {0};
    restored.forEach(Backend.MEMBERS_REMOVED, (key, value) -> count[0]++);
    expect(count[0] == 0, "members_removed is not empty");
    restored.forEach(Backend.MEMBERS, (key, value) -> {
      String id = new String(key, StandardCharsets.US_ASCII);
      expect(cluster.members().stream().anyMatch(m -> m.hexId().equals(id)
          && Arrays.equals(value, m.json().getBytes(StandardCharsets.UTF_8))), "members holds a stray member " + id);
      count[0]++;
    });
    expect(count[0] == cluster.members().size(), "members does not hold every new member");
  }

  /** The file starts with {@code head} and is {@code length} bytes long (the rest of a WAL segment is zeros). */
  private static void checkFile(Path file, byte[] head, long length) throws IOException {
    try (FileChannel channel = FileChannel.open(file)) {
      ByteBuffer read = ByteBuffer.allocate(head.length);
      while (read.hasRemaining() && channel.read(read) >= 0) {
        // keep reading: a file channel may return fewer bytes than asked
      }
      expect(channel.size() == length && Arrays.equals(read.array(), head), file + " does not hold what was written");
    }
  }

  private static byte[] get(BoltFile db, byte[] bucket, byte[] key) throws IOException {
    Optional<byte[]> value = db.get(bucket, key);
    return value.orElse(new byte[0]);
  }

  private static void expect(boolean condition, String problem) throws IOException {
    if (!condition) {
      throw new IOException("restored data dir failed its check: " + problem + "; nothing was put in place");
    }
  }
}
