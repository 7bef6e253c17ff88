package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.journal.Chain;
import io.etcdsnapshotter.volume.KeptSnapshots;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Restore to a point after the snapshot: the snapshot, then the revisions after it from the journal in
 * {@code journalDir}, up to {@code toRevision} ({@link BaseSnapshot} finds the snapshot, and the revision of a time).
 *
 * @param keys the data keys of sealed segments
 * @param clusterId the etcd cluster ID (hex) of the snapshot, whose chains alone may continue it; null if unknown
 */
public record PointInTime(Path journalDir, long toRevision, DataKeys keys, String clusterId) {
  /** The journal's chains that may continue the snapshot, oldest base first. */
  List<Chain> chains() throws IOException {
    List<Chain> chains = new ArrayList<>();
    for (Chain chain : Chain.list(journalDir, keys)) {
      if (KeptSnapshots.sameCluster(clusterId, chain.clusterIdHex())) {
        chains.add(chain);
      }
    }
    return chains;
  }
}
