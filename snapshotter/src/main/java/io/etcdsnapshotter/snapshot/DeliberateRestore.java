package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.Sha256;
import io.etcdsnapshotter.UsageException;
import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.restore.Cluster;
import io.etcdsnapshotter.volume.SnapshotVolume;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recognises, behind a cluster's endpoints, the new etcd cluster that kubernetes.etcd.restored bootstrapped from a
 * snapshot on this volume, so that backups go on after the worst day without an operator allowing the change. That
 * state restores every master with the token {@code <token>-restored-<first 12 hex of the file's sha256>}, and etcd
 * derives the cluster ID from the members' peer URLs and the token alone: given the cluster's token and initial
 * cluster ({@code restoredBy} in the config), the ID a restore from each snapshot file kept here would give can be
 * computed, and only a restore from one of them gives it. Another cluster behind the endpoints (a rebuild, a wrong
 * address, a restore from a file this volume never held) matches none and is still refused.
 */
final class DeliberateRestore {
  private static final Logger LOG = LoggerFactory.getLogger(DeliberateRestore.class);

  private DeliberateRestore() {}

  /**
   * The snapshot file of {@code cluster} on {@code volume} (the current one or a generation) whose restore by
   * kubernetes.etcd.restored gives etcd cluster {@code clusterIdHex}, if there is one. Each file is hashed whole: this
   * runs only when the cluster ID changed.
   */
  static Optional<Path> restoredFrom(ClusterConfig cluster, SnapshotVolume volume, String clusterIdHex)
      throws IOException {
    ClusterConfig.RestoredBy by = cluster.restoredBy();
    if (by == null) {
      return Optional.empty();
    }
    for (Path file : volume.snapshotsOf(cluster.fileName())) {
      try {
        if (Long.toHexString(Cluster.idOf(by.initialCluster(), by.tokenFor(Sha256.ofFile(file))))
            .equals(clusterIdHex)) {
          return Optional.of(file);
        }
      } catch (UsageException e) {
        LOG.warn("cluster {}: restoredBy.initialCluster {}: {}; a restore of the cluster cannot be recognised",
            cluster.name(), by.initialCluster(), e.getMessage());
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
