package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A dry run of the restore an operator would do, with etcdutl's default member flags, in a new 0700 dir of our own
 * that is deleted again whatever happens: {@code verify --restore} and the snapshot run's drill both prove a file
 * restores this way. A name merely picked could already exist in a shared temp dir, owned and readable by others.
 */
public final class TrialRestore {
  private TrialRestore() {}

  /** What the trial restore of {@code snapshot} needs free where it builds: the db and one WAL segment. */
  public static long bytesNeeded(Path snapshot) throws IOException {
    return DataDirRestore.bytesNeeded(Files.size(snapshot), true);
  }

  /**
   * Restores, reads back and checks {@code snapshot} below {@code scratchParent}, then deletes it.
   *
   * @param noTrailer a file without etcd's SHA-256 trailer (a db copied from a data dir) is restored unchecked
   * @param server the etcd release whose refusals are checked first; null for none
   * @param keys where the data key of an encrypted snapshot comes from
   */
  public static RestoreResult run(Path snapshot, Path scratchParent, boolean noTrailer, EtcdRelease server,
      DataKeys keys) throws IOException {
    Path trial = PrivateFiles.createTempDirectory(scratchParent, "etcd-snapshotter-trial-");
    try {
      Cluster cluster = Cluster.bootstrap("default", "default=http://localhost:2380", "etcd-cluster",
          "http://localhost:2380");
      return DataDirRestore.run(new RestoreRequest(snapshot, trial.resolve("default.etcd"), null, cluster, noTrailer,
          0, true, server, keys, null));
    } finally {
      PrivateFiles.deleteTree(trial);
    }
  }
}
