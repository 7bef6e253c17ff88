package io.etcdsnapshotter.e2e.journal;

import static io.etcdsnapshotter.e2e.journal.JournalVolume.put;
import static io.etcdsnapshotter.e2e.journal.JournalVolume.uncheckedPut;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's chains against a real etcd 3.6: each new full snapshot (the snapshot command's, one the journal takes
 * on its schedule, or one it takes after etcd compacted what it needed) begins a new chain, and restores from the old
 * snapshot and from the new one each equal the source at the revision restored to; a snapshot taken while the journal
 * was stopped does so too once the journal, started again, reaches it. Once a new chain begins, a chain whose
 * snapshot the volume no longer keeps is deleted.
 */
class JournalChainsTest {
  private static final Duration WAIT = JournalVolume.WAIT;
  private static final EtcdVersion VERSION = EtcdVersion.V3_6;

  @TempDir Path dir;

  @Test
  void aSnapshotTakenWhileTheJournalFollowsWritesBeginsANewChainAndEitherSnapshotRestores() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      JournalVolume volume = new JournalVolume(VERSION, dir, cluster);
      put(client, "/seed", "s");
      volume.snapshot("--keep", "1");
      long first = volume.snapshotRevision();
      long inOldChain;
      long afterNew;
      long newBase;
      try (RunningProcess journal = volume.follow()) {
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
          for (int i = 0; writing.get(); i++) {
            uncheckedPut(client, "/w/" + (i % 23), "v" + i);
          }
        });
        writer.start();
        inOldChain = put(client, "/old", "o");
        volume.snapshot("--keep", "1");
        newBase = volume.snapshotRevision();
        Polling.await("a new chain from revision " + newBase, WAIT,
            () -> journal.stderr().contains("new chain " + newBase + " from the full snapshot"), journal::stderr);
        Thread.sleep(500);
        writing.set(false);
        writer.join();
        afterNew = put(client, "/new", "n");
        journal.stop(WAIT);
        ProcessResult stopped = journal.await(WAIT);
        assertThat(stopped.exitCode()).as(stopped.toString()).isZero();
        assertThat(stopped.stdout()).contains("durable up to revision " + afterNew);
        assertThat(stopped.stderr().lines().filter(l -> l.contains("new chain "))).as("one line per roll")
            .hasSize(1);
      }
      assertThat(newBase).isGreaterThan(inOldChain);
      assertThat(volume.chainBases()).containsExactly(first, newBase);
      Path older = volume.onlyGeneration();
      volume.assertRestoredAsAt(inOldChain, older);
      volume.assertRestoredAsAt(newBase, older);
      volume.assertRestoredAsAt(afterNew);
    }
  }

  @Test
  void aSnapshotTakenWhileTheJournalWasStoppedBeginsItsChainOnceTheOldChainReachesIt() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      JournalVolume volume = new JournalVolume(VERSION, dir, cluster);
      StoppedJournal stopped = followThenStop(volume, client);
      long missed = put(client, "/b", "while the journal was stopped");
      put(client, "/a", "changed while it was stopped");
      volume.snapshot("--keep", "1");
      long newBase = volume.snapshotRevision();
      put(client, "/c", "after the snapshot, before the journal's start");
      long last;
      try (RunningProcess journal = volume.follow()) {
        assertThat(journal.stderr()).contains("chain " + stopped.snapshot() + " ends at revision " + stopped.durable()
            + ", before the newest full snapshot's " + newBase);
        Polling.await("a new chain from revision " + newBase, WAIT,
            () -> journal.stderr().contains("new chain " + newBase + " from the full snapshot"), journal::stderr);
        last = put(client, "/d", "after the start");
        JournalVolume.stop(journal, last);
        assertThat(journal.stderr()).doesNotContain("no restore is possible").doesNotContain("taking a full snapshot");
      }
      assertThat(missed).isGreaterThan(stopped.durable()).isLessThan(newBase);
      assertThat(volume.chainBases()).containsExactly(stopped.snapshot(), newBase);
      assertThat(volume.assertRestoredAsAt(missed).stdout()).as("from the older snapshot and its chain")
          .contains("/generations/snapshot.").contains("(revision " + stopped.snapshot() + ") to revision " + missed);
      assertThat(volume.assertRestoredAsAt(last).stdout()).as("from the new snapshot and its chain")
          .contains("/snapshot.db (revision " + newBase + ") to revision " + last);
    }
  }

  @Test
  void aCompactionPastAStoppedJournalThatTheNewestSnapshotCoversBeginsItsChainWithoutAnotherSnapshot()
      throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      JournalVolume volume = new JournalVolume(VERSION, dir, cluster);
      StoppedJournal stopped = followThenStop(volume, client);
      long missed = put(client, "/b", "while the journal was stopped");
      long compacted = put(client, "/b", "compacted to");
      put(client, "/a", "changed while it was stopped");
      volume.snapshot("--keep", "1");
      long newBase = volume.snapshotRevision();
      put(client, "/c", "after the snapshot, before the journal's start");
      client.getKVClient().compact(compacted).get(60, TimeUnit.SECONDS);
      String index = Files.readString(volume.volume().resolve("snapshots.json"));
      List<String> generations = generationNames(volume);
      long last;
      try (RunningProcess journal = volume.startJournal()) {
        Polling.await("a new chain after the gap", WAIT, () -> journal.stderr().contains("no restore is possible"),
            journal::stderr);
        last = put(client, "/d", "after the start");
        JournalVolume.stop(journal, last);
        assertThat(journal.stderr().lines().filter(l -> l.contains("no restore is possible")))
            .singleElement().asString().contains("WARN")
            .contains("etcd compacted revision " + missed + " before the journal had it")
            .contains("chain " + stopped.snapshot() + " ends at revision " + stopped.durable())
            .contains("chain " + newBase + " starts at the full snapshot of revision " + newBase)
            .contains("no restore is possible between revisions " + stopped.durable() + " and " + newBase);
        assertThat(journal.stderr()).doesNotContain("taking a full snapshot");
      }
      assertThat(compacted).isGreaterThan(missed).isLessThan(newBase);
      assertThat(Files.readString(volume.volume().resolve("snapshots.json"))).as("no snapshot taken").isEqualTo(index);
      assertThat(generationNames(volume)).as("no snapshot taken").isEqualTo(generations);
      assertThat(volume.chainBases()).containsExactly(stopped.snapshot(), newBase);
      volume.assertRefused(missed, "revision " + missed + " is not covered (it falls in a gap between chains: one"
          + " ends at " + stopped.durable() + ", the next starts at its snapshot's revision " + newBase + "): ",
          stopped.snapshot() + "-" + stopped.durable() + " and " + newBase + "-" + last);
      assertThat(volume.assertRestoredAsAt(last).stdout()).as("from the newest snapshot and its chain")
          .contains("/snapshot.db (revision " + newBase + ") to revision " + last);
    }
  }

  @Test
  void aCompactionPastAStoppedJournalMakesItTakeAFullSnapshotAndBeginANewChain() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      JournalVolume volume = new JournalVolume(VERSION, dir, cluster);
      put(client, "/a", "1");
      volume.snapshot();
      long first = volume.snapshotRevision();
      long ended;
      try (RunningProcess journal = volume.follow()) {
        ended = put(client, "/b", "0");
        JournalVolume.stop(journal, ended);
      }
      long compacted = 0;
      for (int i = 1; i <= 5; i++) {
        compacted = put(client, "/b", "v" + i);
      }
      client.getKVClient().compact(compacted).get(60, TimeUnit.SECONDS);
      long last;
      long newBase;
      try (RunningProcess journal = volume.startJournal()) {
        Polling.await("a new chain after the gap", WAIT, () -> journal.stderr().contains("no restore is possible"),
            journal::stderr);
        newBase = volume.snapshotRevision();
        assertThat(journal.stderr().lines().filter(l -> l.contains("no restore is possible")))
            .singleElement().asString().contains("WARN")
            .contains("chain " + first + " ends at revision " + ended)
            .contains("chain " + newBase + " starts at the full snapshot of revision " + newBase);
        // The snapshot taken for the gap replaced the first (no generations kept): its chain can restore nothing.
        Polling.await("the first chain deleted", WAIT, () -> journal.stderr().contains(
            "deleting the journal chain from revision " + first + " to " + ended), journal::stderr);
        put(client, "/c", "after");
        last = put(client, "/d", "after");
        JournalVolume.stop(journal, last);
      }
      assertThat(newBase).isGreaterThanOrEqualTo(compacted);
      assertThat(volume.chainBases()).containsExactly(newBase);
      volume.assertRestoredAsAt(last);
    }
  }

  @Test
  void aGapWhoseSnapshotFailsEndsTheJournalInOneLineAndKeepsTheOldChain() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      JournalVolume volume = new JournalVolume(VERSION, dir, cluster);
      long first = put(client, "/a", "1");
      volume.snapshot();
      long compacted = 0;
      for (int i = 0; i < 5; i++) {
        compacted = put(client, "/b", "v" + i);
      }
      client.getKVClient().compact(compacted).get(60, TimeUnit.SECONDS);
      // Another snapshot run holds the volume (a POSIX lock, held per process: this one).
      try (FileChannel lock = FileChannel.open(volume.volume().resolve(".lock"), StandardOpenOption.WRITE);
          FileLock held = lock.lock();
          RunningProcess journal = volume.startJournal()) {
        ProcessResult result = journal.await(WAIT);
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(Jar.messages(result)).singleElement().asString()
            .contains("compacted revision " + (first + 1)).contains("another snapshot run holds the lock")
            .contains("start journal again");
        assertThat(Jar.hasStackTrace(result)).isFalse();
      }
      assertThat(volume.chainBases()).containsExactly(first);
      assertThat(volume.snapshotRevision()).isEqualTo(first);
    }
  }

  @Test
  void aSnapshotIntervalTakesTheFirstSnapshotAtOnceThenNewSnapshotsAndChainsDroppingThoseOfReplacedSnapshots()
      throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      JournalVolume volume = new JournalVolume(VERSION, dir, cluster);
      put(client, "/a", "1");
      long last = 0;
      try (RunningProcess journal = volume.follow("--snapshot-interval", "3s")) {
        assertThat(volume.snapshotFile()).exists();
        for (int i = 0; journal.stderr().lines().filter(l -> l.contains("new chain ")).count() < 2; i++) {
          assertThat(i).as("three chains within a minute: " + journal.stderr()).isLessThan(600);
          last = put(client, "/k/" + (i % 17), "v" + i);
          Thread.sleep(100);
        }
        // Each snapshot replaces the one before (no generations kept), so only the newest chain can restore.
        Polling.await("only the chain of the snapshot on the volume", WAIT,
            () -> volume.chainBases().equals(Set.of(volume.snapshotRevision())), journal::stderr);
        last = put(client, "/last", "l");
        JournalVolume.stop(journal, last);
      }
      assertThat(volume.chainBases().stream().max(Long::compare).orElseThrow())
          .as("the newest chain continues the newest snapshot").isEqualTo(volume.snapshotRevision());
      volume.assertRestoredAsAt(last);
    }
  }

  private static List<String> generationNames(JournalVolume volume) throws IOException {
    try (Stream<Path> files = Files.list(volume.volume().resolve("generations"))) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  /** The revisions of a first snapshot and of the last put a journal following it made durable before it stopped. */
  private record StoppedJournal(long snapshot, long durable) {}

  private static StoppedJournal followThenStop(JournalVolume volume, Client client) throws Exception {
    put(client, "/seed", "s");
    volume.snapshot("--keep", "1");
    long first = volume.snapshotRevision();
    try (RunningProcess journal = volume.follow()) {
      long ended = put(client, "/a", "journalled");
      JournalVolume.stop(journal, ended);
      return new StoppedJournal(first, ended);
    }
  }
}
