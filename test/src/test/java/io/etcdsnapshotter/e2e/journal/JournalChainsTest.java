package io.etcdsnapshotter.e2e.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's chains against a real etcd 3.6: each new full snapshot (the snapshot command's, one the journal takes
 * on its schedule, or one it takes after etcd compacted what it needed) begins a new chain, and restores from the old
 * snapshot and from the new one each equal the source at the revision restored to.
 */
class JournalChainsTest {
  private static final Duration WAIT = JournalVolume.WAIT;
  private static final EtcdVersion VERSION = EtcdVersion.V3_6;
  private static final Pattern REVISION = Pattern.compile("\"revision\" : (\\d+)");
  private static final Pattern SEGMENT = Pattern.compile("([0-9a-f]{16})-[0-9a-f]{16}\\.journal");

  @TempDir Path dir;
  private JournalVolume volume;

  @BeforeEach
  void volume() {
    volume = new JournalVolume(dir, VERSION);
  }

  @Test
  void aSnapshotTakenWhileTheJournalFollowsWritesBeginsANewChainAndEitherSnapshotRestores() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      put(client, "/seed", "s");
      volume.snapshot(cluster, "--keep", "1");
      long first = snapshotRevision();
      long inOldChain;
      long afterNew;
      long newBase;
      try (RunningProcess journal = volume.startJournal(cluster)) {
        JournalVolume.awaitFollowing(journal);
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
          for (int i = 0; writing.get(); i++) {
            uncheckedPut(client, "/w/" + (i % 23), "v" + i);
          }
        });
        writer.start();
        inOldChain = put(client, "/old", "o");
        volume.snapshot(cluster, "--keep", "1");
        newBase = snapshotRevision();
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
      assertThat(chainBases()).containsExactly(first, newBase);
      Path older = generation();
      volume.assertRestoredAsAt(cluster, client, inOldChain, older);
      volume.assertRestoredAsAt(cluster, client, newBase, older);
      volume.assertRestoredAsAt(cluster, client, afterNew, volume.snapshotFile());
    }
  }

  @Test
  void aCompactionPastAStoppedJournalMakesItTakeAFullSnapshotAndBeginANewChain() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      put(client, "/a", "1");
      volume.snapshot(cluster);
      long first = snapshotRevision();
      long ended;
      try (RunningProcess journal = volume.startJournal(cluster)) {
        JournalVolume.awaitFollowing(journal);
        ended = put(client, "/b", "0");
        journal.stop(WAIT);
        assertThat(journal.await(WAIT).stdout()).contains("durable up to revision " + ended);
      }
      long compacted = 0;
      for (int i = 1; i <= 5; i++) {
        compacted = put(client, "/b", "v" + i);
      }
      client.getKVClient().compact(compacted).get(60, TimeUnit.SECONDS);
      long last;
      long newBase;
      try (RunningProcess journal = volume.startJournal(cluster)) {
        Polling.await("a new chain after the gap", WAIT, () -> journal.stderr().contains("no restore is possible"),
            journal::stderr);
        newBase = snapshotRevision();
        assertThat(journal.stderr().lines().filter(l -> l.contains("no restore is possible")))
            .singleElement().asString().contains("WARN")
            .contains("chain " + first + " ends at revision " + ended)
            .contains("chain " + newBase + " starts at the full snapshot of revision " + newBase);
        put(client, "/c", "after");
        last = put(client, "/d", "after");
        journal.stop(WAIT);
        ProcessResult stopped = journal.await(WAIT);
        assertThat(stopped.exitCode()).as(stopped.toString()).isZero();
        assertThat(stopped.stdout()).as(stopped.toString()).contains("durable up to revision " + last);
      }
      assertThat(newBase).isGreaterThanOrEqualTo(compacted);
      assertThat(chainBases()).containsExactly(first, newBase);
      volume.assertRestoredAsAt(cluster, client, last);
    }
  }

  @Test
  void aGapWhoseSnapshotFailsEndsTheJournalInOneLineAndKeepsTheOldChain() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      long first = put(client, "/a", "1");
      volume.snapshot(cluster);
      long compacted = 0;
      for (int i = 0; i < 5; i++) {
        compacted = put(client, "/b", "v" + i);
      }
      client.getKVClient().compact(compacted).get(60, TimeUnit.SECONDS);
      // Another snapshot run holds the volume (a POSIX lock, held per process: this one).
      try (FileChannel lock = FileChannel.open(volume.volume().resolve(".lock"), StandardOpenOption.WRITE);
          FileLock held = lock.lock();
          RunningProcess journal = volume.startJournal(cluster)) {
        ProcessResult result = journal.await(WAIT);
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(Jar.messages(result)).singleElement().asString()
            .contains("compacted revision " + (first + 1)).contains("another snapshot run holds the lock")
            .contains("start journal again");
        assertThat(Jar.hasStackTrace(result)).isFalse();
      }
      assertThat(chainBases()).containsExactly(first);
      assertThat(snapshotRevision()).isEqualTo(first);
    }
  }

  @Test
  void aSnapshotIntervalTakesTheFirstSnapshotAtOnceThenNewSnapshotsAndChainsWhileFollowing() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      put(client, "/a", "1");
      long last = 0;
      try (RunningProcess journal = volume.startJournal(cluster, "--snapshot-interval", "3s")) {
        JournalVolume.awaitFollowing(journal);
        assertThat(volume.snapshotFile()).exists();
        for (int i = 0; chainBases().size() < 3; i++) {
          assertThat(i).as("three chains within a minute: " + journal.stderr()).isLessThan(600);
          last = put(client, "/k/" + (i % 17), "v" + i);
          Thread.sleep(100);
        }
        last = put(client, "/last", "l");
        journal.stop(WAIT);
        ProcessResult stopped = journal.await(WAIT);
        assertThat(stopped.exitCode()).as(stopped.toString()).isZero();
        assertThat(stopped.stdout()).as(stopped.toString()).contains("durable up to revision " + last);
      }
      Set<Long> bases = chainBases();
      assertThat(bases.stream().max(Long::compare).orElseThrow()).as("the newest chain continues the newest snapshot")
          .isEqualTo(snapshotRevision());
      volume.assertRestoredAsAt(cluster, client, last);
    }
  }

  /** The revision snapshots.json records for the one cluster's newest snapshot. */
  private long snapshotRevision() throws Exception {
    Matcher m = REVISION.matcher(Files.readString(volume.volume().resolve("snapshots.json")));
    assertThat(m.find()).isTrue();
    return Long.parseLong(m.group(1));
  }

  private Set<Long> chainBases() throws Exception {
    Set<Long> bases = new TreeSet<>();
    try (Stream<Path> files = Files.list(volume.journalDir())) {
      for (Path file : files.toList()) {
        Matcher m = SEGMENT.matcher(file.getFileName().toString());
        if (m.matches()) {
          bases.add(Long.parseLong(m.group(1), 16));
        }
      }
    }
    return bases;
  }

  /** The one older snapshot the volume keeps (--keep 1). */
  private Path generation() throws Exception {
    try (Stream<Path> files = Files.list(volume.volume().resolve("generations"))) {
      List<Path> all = files.toList();
      assertThat(all).hasSize(1);
      return all.get(0);
    }
  }

  private static long put(Client client, String key, String value) throws Exception {
    return client.getKVClient().put(bytes(key), bytes(value)).get(60, TimeUnit.SECONDS).getHeader().getRevision();
  }

  private static void uncheckedPut(Client client, String key, String value) {
    try {
      put(client, key, value);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
