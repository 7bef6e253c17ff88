package io.etcdsnapshotter.volume;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import io.etcdsnapshotter.bolt.BoltWriter;
import io.etcdsnapshotter.journal.JournalWriter;
import io.etcdsnapshotter.journal.RevisionRecord;
import io.etcdsnapshotter.journal.SegmentKeys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A snapshot volume of cluster {@code main} laid out as the jar leaves it, with as little in each file as a choice
 * of base snapshot or a chain retention reads: snapshot dbs whose key bucket ends at a revision, the etcd cluster
 * each is of, and journal chains of one etcd cluster each.
 */
public final class TestVolume {
  private final Path dir;

  public TestVolume(Path dir) {
    this.dir = dir;
  }

  public Path file() {
    return dir.resolve("snapshot.db");
  }

  public Path journal() {
    return dir.resolve("journal/main");
  }

  /** The current snapshot at {@code revision}, recorded in snapshots.json as of etcd cluster {@code cluster}. */
  public Path current(long revision, long cluster) throws IOException {
    snapshot(file(), revision);
    Files.writeString(dir.resolve(SnapshotIndex.FILE), "{\"clusters\":{\"main\":{\"file\":\"snapshot.db\",\"revision\":"
        + revision + ",\"clusterId\":\"" + Long.toHexString(cluster) + "\"}}}");
    return file();
  }

  /** A generation at {@code revision} of etcd cluster {@code cluster}, kept at {@code stamp} (yyyyMMddTHHmmssSSSZ). */
  public Path generation(String stamp, long revision, long cluster) throws IOException {
    Path generation = Files.createDirectories(dir.resolve(Generations.DIR)).resolve("snapshot." + stamp + ".db");
    snapshot(generation, revision);
    Files.writeString(generation.resolveSibling(generation.getFileName() + ".cluster-id"),
        Long.toHexString(cluster) + "\n");
    return generation;
  }

  /** A chain of etcd cluster {@code cluster} from {@code base}, holding one put per revision up to {@code last}. */
  public void chain(long cluster, long base, long last) throws IOException {
    Files.createDirectories(journal());
    try (JournalWriter writer = JournalWriter.newChain(journal(), cluster, base, 1 << 20, SegmentKeys.PLAIN)) {
      for (long rev = base + 1; rev <= last; rev++) {
        KeyValue kv = KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("/k")).setValue(ByteString.copyFromUtf8(
            Long.toHexString(cluster))).setCreateRevision(rev).setModRevision(rev).setVersion(1).build();
        writer.append(new RevisionRecord(rev, List.of(Event.newBuilder().setKv(kv).build())));
      }
    }
  }

  private static void snapshot(Path file, long revision) throws IOException {
    try (BoltWriter db = BoltWriter.create(file, 4096)) {
      db.beginBucket("key".getBytes(StandardCharsets.US_ASCII));
      for (long rev = 2; rev <= revision; rev++) {
        db.put(ByteBuffer.allocate(17).putLong(rev).put((byte) '_').putLong(0).array(), new byte[] {1});
      }
      db.endBucket();
      db.finish();
    }
  }
}
