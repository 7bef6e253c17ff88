package io.etcdsnapshotter.volume;

import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.config.ClusterConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One cluster's full snapshots on the volume: its current file and the generations kept of it, newest first, each
 * with the revision it holds. A journal chain continues the snapshot whose revision is its base.
 */
public final class KeptSnapshots {
  private static final byte[] KEY_BUCKET = "key".getBytes(StandardCharsets.US_ASCII);

  private KeptSnapshots() {}

  /** Opens a snapshot file as bbolt (decrypting it if it is encrypted). */
  public interface Opener {
    BoltFile open(Path file) throws IOException;
  }

  /**
   * A snapshot file, its revision, and the etcd cluster ID (hex) it was taken of when the volume recorded it: in
   * {@code snapshots.json} for the current file, beside a generation kept since that was recorded; else null.
   */
  public record Kept(Path file, long revision, String clusterId) {
    /** Whether the journal chain of etcd cluster {@code chainCluster} (null if unknown) may continue this snapshot. */
    public boolean continuedBy(String chainCluster) {
      return sameCluster(clusterId, chainCluster);
    }
  }

  /** Whether two etcd cluster IDs (hex, null if unknown) may be of one cluster: equal, or either unknown. */
  public static boolean sameCluster(String one, String other) {
    return one == null || other == null || one.equals(other);
  }

  /**
   * {@code file} and its generations in {@code generations/} beside it, newest first, each opened to read its
   * revision; none when {@code file} does not exist.
   */
  public static List<Kept> of(Path file, Opener opener) throws IOException {
    List<Kept> kept = new ArrayList<>();
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return kept;
    }
    try (BoltFile db = opener.open(file)) {
      long revision = revision(db);
      // The file named may be a generation itself (a restore from one snapshot of the volume).
      kept.add(new Kept(file, revision, Generations.clusterOf(file).orElseGet(() -> indexedCluster(file, revision))));
    }
    List<Path> generations = new ArrayList<>(new Generations(file.getParent()).list(file));
    Collections.reverse(generations);
    for (Path each : generations) {
      try (BoltFile db = opener.open(each)) {
        kept.add(new Kept(each, revision(db), Generations.clusterOf(each).orElse(null)));
      }
    }
    return kept;
  }

  /** The cluster {@code snapshots.json} beside {@code file} records for it, if its entry is of that file. */
  private static String indexedCluster(Path file, long revision) {
    String cluster = ClusterConfig.nameOfFile(file.getFileName().toString());
    SnapshotIndex.Entry entry = cluster == null ? null : SnapshotIndex.load(file.getParent()).clusters().get(cluster);
    boolean ofFile = entry != null && file.getFileName().toString().equals(entry.file)
        && entry.revision != null && entry.revision == revision;
    return ofFile ? entry.clusterId : null;
  }

  /** etcd's newest revision in a snapshot db (what status reports): the last key of its "key" bucket; 0 for none. */
  public static long revision(BoltFile db) throws IOException {
    return db.lastKey(KEY_BUCKET).map(key -> ByteBuffer.wrap(key).getLong()).orElse(0L);
  }

  /** The journal dir of the cluster whose snapshot on the volume is {@code file}: VOLUME/journal/CLUSTER; or null. */
  public static Path journalDir(Path file) {
    String cluster = ClusterConfig.nameOfFile(file.getFileName().toString());
    return cluster == null ? null : file.getParent().resolve(SnapshotVolume.JOURNAL).resolve(cluster);
  }
}
