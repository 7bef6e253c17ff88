package io.etcdsnapshotter.e2e.journal;

import static io.etcdsnapshotter.e2e.journal.JournalVolume.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import io.etcdsnapshotter.e2e.restore.RestoredCluster;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal in continuous mode across a restore as kubernetes.etcd.restored makes it (the volume's snapshot, the
 * token {@code <token>-restored-<12 hex of its sha256>}), against real etcd 3.6: the running journal stops at the
 * change, and started again with the cluster's restoredBy (and no allowClusterChange) it recognises the restore,
 * takes the new cluster's snapshot itself and begins that cluster's chain.
 */
class JournalAfterRestoreTest {
  private static final EtcdVersion VERSION = EtcdVersion.V3_6;

  @TempDir Path dir;

  @Test
  void startedAgainAfterTheRestoreTheJournalRecognisesItAndBeginsTheNewClustersChain() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster old = EtcdCluster.start(VERSION, 1, Security.AUTH);
        Client oldClient = old.client();
        FreezingProxy endpoint = FreezingProxy.to(URI.create(old.endpoints()))) {
      JournalVolume volume = new JournalVolume(VERSION, dir, old).via(endpoint.url());
      put(oldClient, "/seed", "old");
      volume.snapshot();
      long base = volume.snapshotRevision();
      List<RestoredCluster.Node> nodes = RestoredCluster.plan(Files.createDirectory(dir.resolve("restored")), 1);
      RestoredCluster.Node node = nodes.get(0);
      String initialCluster = RestoredCluster.initialCluster(nodes);
      RestoredCluster.restoreAsSaltDoes(volume.snapshotFile(), "etcd-main", node, "--bump-revision", "1000",
          "--mark-compacted");

      try (RestoredCluster restored = RestoredCluster.start(VERSION, nodes, dir)) {
        String newCluster = restored.etcdctl(node).clusterIdHex();
        Path config = Files.writeString(dir.resolve("restored-by.yaml"), "clusters:\n  main:\n    restoredBy:\n"
            + "      token: etcd-main\n      initialCluster: " + initialCluster + "\n");
        try (RunningProcess journal = volume.follow("--config", config.toString(), "--snapshot-interval", "1h")) {
          long last = 0;
          for (int i = 0; i < 5; i++) {
            last = put(oldClient, "/k/" + i, "old " + i);
          }
          volume.awaitDurable(last, journal);
          endpoint.switchTo(node.clientUrl());
          ProcessResult stopped = journal.await(JournalVolume.WAIT);
          assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(1);
        }
        try (RunningProcess journal = volume.follow("--config", config.toString(), "--snapshot-interval", "1h")) {
          assertThat(journal.stderr()).contains("etcd cluster " + newCluster
              + " is what kubernetes.etcd.restored bootstraps from " + volume.snapshotFile());
          long newBase = volume.snapshotRevision();
          assertThat(journal.stderr()).contains("journal chain " + newBase + " in ");
          assertThat(volume.chainBases()).containsExactly(base, newBase);
          journal.stop(JournalVolume.WAIT);
        }
      }
    }
  }
}
