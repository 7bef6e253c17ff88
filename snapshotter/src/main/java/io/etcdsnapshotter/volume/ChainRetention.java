package io.etcdsnapshotter.volume;

import io.etcdsnapshotter.OneLine;
import io.etcdsnapshotter.bolt.SnapshotFiles;
import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.journal.Chain;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Journal retention follows snapshot retention, whole chains only: a chain is deleted once the snapshot it
 * continues (the one whose revision is its base) is no longer on the volume, since no restore can use it then; the
 * chain of a snapshot still kept is never touched, nor the newest chain (a running journal may still be appending to
 * it until it starts the next chain; the retention after that deletes it) or one based past the current snapshot
 * (its snapshot may be on its way). Both of the current snapshot's etcd cluster: after a restore gave the cluster a
 * new ID, the old cluster's chains go with their snapshots, and a chain continues only snapshots of its own cluster.
 */
public final class ChainRetention {
  private static final Logger LOG = LoggerFactory.getLogger(ChainRetention.class);

  private ChainRetention() {}

  /**
   * Deletes the chains of the cluster whose snapshot is {@code file} that continue none of its kept snapshots. A
   * failure is logged, never thrown: the snapshot that prompted it stands either way. Nothing is deleted while any
   * kept snapshot's revision cannot be read here (an encrypted file without {@code keys}, which a snapshot run
   * never has: the journal, which reads sealed segments, prunes those): it might be the base of any chain.
   */
  public static void prune(Path file, DataKeys keys) {
    Path journal = KeptSnapshots.journalDir(file);
    try {
      List<Chain> chains = journal == null ? List.of() : Chain.list(journal, keys);
      if (chains.size() > 1) {
        prune(journal, chains, KeptSnapshots.of(file, each -> SnapshotFiles.openBolt(each, keys)));
      }
    } catch (IOException e) {
      if (keys == DataKeys.NONE && encrypted(file)) {
        LOG.info("left the journal chains in {} to the journal to prune: the snapshots are encrypted, and this run"
            + " reads none of them (it has no kms:Decrypt)", journal);
      } else {
        LOG.warn("kept every journal chain in {}: {}", journal, OneLine.message(e));
      }
    }
  }

  private static boolean encrypted(Path file) {
    try {
      return SnapshotFiles.isEncrypted(file);
    } catch (IOException e) {
      return false;
    }
  }

  private static void prune(Path journal, List<Chain> chains, List<KeptSnapshots.Kept> kept) throws IOException {
    if (kept.isEmpty()) {
      return;
    }
    KeptSnapshots.Kept current = kept.get(0);
    List<String> clusters = new ArrayList<>();
    for (Chain chain : chains) {
      clusters.add(chain.clusterIdHex());
    }
    int newest = newestOf(current, clusters);
    for (int i = 0; i < chains.size(); i++) {
      Chain chain = chains.get(i);
      String cluster = clusters.get(i);
      boolean based = kept.stream().anyMatch(k -> k.revision() == chain.baseRevision() && k.continuedBy(cluster));
      boolean ahead = chain.baseRevision() >= current.revision() && current.continuedBy(cluster);
      if (!based && !ahead && i != newest) {
        LOG.info("deleting the journal chain from revision {} to {} in {}: its snapshot (revision {}) is no longer"
            + " on the volume", chain.baseRevision(), chain.lastRevision(), journal, chain.baseRevision());
        chain.delete();
      }
    }
  }

  /**
   * The newest chain that may continue the current snapshot: after a restore gave the cluster a new etcd cluster ID,
   * the chains of the old one may be based higher, yet the journal appends to the new one's.
   */
  private static int newestOf(KeptSnapshots.Kept current, List<String> clusters) {
    for (int i = clusters.size() - 1; i >= 0; i--) {
      if (current.continuedBy(clusters.get(i))) {
        return i;
      }
    }
    return clusters.size() - 1;
  }
}
