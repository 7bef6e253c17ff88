package io.etcdsnapshotter.e2e.journal;

import static io.etcdsnapshotter.e2e.journal.JournalVolume.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal when its endpoints come to serve another etcd cluster (a restore with a new token, a rebuild), against
 * real etcd 3.6: the running journal stops rather than append the other cluster's revisions to its chain; once a
 * snapshot of the new cluster is on the volume (the journal takes it itself with --allow-cluster-change) it begins a
 * chain of its own beside the old cluster's; and where the two clusters' revisions overlap, as after a restore to an older point, a restore to one
 * revision number gives the new cluster's keyspace from the volume's file and the old cluster's from its
 * generation, never one cluster's snapshot continued by the other's journal.
 */
class JournalAcrossClusterChangeTest {
  private static final Duration WAIT = JournalVolume.WAIT;
  private static final EtcdVersion VERSION = EtcdVersion.V3_6;

  @TempDir Path dir;

  @Test
  void theJournalStopsAtTheChangeThenKeepsEachClustersChainToItsOwnSnapshots() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster old = EtcdCluster.start(VERSION, 1, Security.AUTH);
        EtcdCluster rebuilt = EtcdCluster.start(VERSION, 1, Security.AUTH);
        Client oldClient = old.client();
        Client newClient = rebuilt.client();
        FreezingProxy endpoint = FreezingProxy.to(URI.create(old.endpoints()))) {
      JournalVolume before = new JournalVolume(VERSION, dir, old).via(endpoint.url());
      JournalVolume after = new JournalVolume(VERSION, dir, rebuilt).via(endpoint.url());
      put(oldClient, "/seed", "old");
      before.snapshot("--keep", "2");
      long oldBase = before.snapshotRevision();
      String oldCluster = old.etcdctl().clusterIdHex();
      long oldLast = 0;
      try (RunningProcess journal = before.follow()) {
        for (int i = 0; i < 30; i++) {
          oldLast = put(oldClient, "/k/" + (i % 7), "old " + i);
        }
        before.awaitDurable(oldLast, journal);
        endpoint.switchTo(URI.create(rebuilt.endpoints()));
        ProcessResult stopped = journal.await(WAIT);
        assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(1);
        assertThat(Jar.messages(stopped)).singleElement().asString()
            .contains("the endpoints now serve etcd cluster " + rebuilt.etcdctl().clusterIdHex() + ", not "
                + oldCluster + " the journal follows (restored or rebuilt?)")
            .contains("the journal ends at revision " + oldLast).contains("snapshot --allow-cluster-change");
      }
      ProcessResult refused = after.startJournal().await(WAIT);
      assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
      assertThat(Jar.messages(refused)).singleElement().asString().contains("take a snapshot of this cluster first");

      // The new cluster's history overlaps the old one's revisions: its snapshot falls inside the old chain.
      long newLast = 0;
      while (newLast < oldBase + 10) {
        newLast = put(newClient, "/k/" + (newLast % 5), "new " + newLast);
      }
      long newBase = newLast;
      long overlap;
      Path keep = Files.writeString(dir.resolve("keep.yaml"), "keep: 2\n");
      try (RunningProcess journal = after.follow("--config", keep.toString(), "--allow-cluster-change",
          "--snapshot-interval", "1h")) {
        assertThat(after.snapshotRevision()).as("the snapshot the journal took of the new cluster").isEqualTo(newBase);
        assertThat(journal.stderr()).contains("taking a full snapshot of the new one to continue")
            .contains("journal chain " + newBase + " in ");
        overlap = put(newClient, "/overlap", "new");
        while (newLast < oldLast + 5) {
          newLast = put(newClient, "/k/" + (newLast % 5), "new " + newLast);
        }
        JournalVolume.stop(journal, newLast);
      }
      assertThat(newBase).isGreaterThan(oldBase).isLessThan(overlap);
      assertThat(overlap).isLessThanOrEqualTo(oldLast);
      assertThat(before.chainBases()).containsExactly(oldBase, newBase);
      Path oldSnapshot = after.onlyGeneration();
      assertThat(Files.readString(oldSnapshot.resolveSibling(oldSnapshot.getFileName() + ".cluster-id")))
          .as("the generation records the old cluster").isEqualTo(oldCluster + "\n");

      assertThat(after.assertRestoredAsAt(overlap).stdout()).as("the new cluster's snapshot and chain")
          .contains("/snapshot.db (revision " + newBase + ") to revision " + overlap);
      assertThat(before.assertRestoredAsAt(overlap, oldSnapshot).stdout()).as("the old cluster's")
          .contains("(revision " + oldBase + ") to revision " + overlap);
      after.assertRestoredAsAt(newLast);
    }
  }
}
