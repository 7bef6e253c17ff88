package io.etcdsnapshotter.e2e.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.etcdsnapshotter.e2e.etcd.DataSeeder;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Etcdctl;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import io.etcdsnapshotter.e2e.restore.RestoredCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuous backup against a real etcd 3.6: a snapshot taken by the jar, the jar's journal command following the
 * cluster as a process while puts, a txn of several ops and deletes run, then restores to chosen revisions served by
 * real etcd: each holds exactly the source's keyspace at that revision, with the same {@code HashKV}.
 */
class JournalEndToEndTest {
  private static final Duration WAIT = JournalVolume.WAIT;
  private static final EtcdVersion VERSION = EtcdVersion.V3_6;

  @TempDir Path dir;
  private JournalVolume volume;

  @BeforeEach
  void volume() {
    volume = new JournalVolume(dir, VERSION);
  }

  @Test
  void restoresToEachChosenRevisionExactlyAsTheSourceWasThen() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      for (int i = 0; i < 50; i++) {
        put(client, "/before/" + i, "v" + i);
      }
      volume.snapshot(cluster);
      List<Long> chosen = new ArrayList<>();
      try (RunningProcess journal = volume.startJournal(cluster)) {
        JournalVolume.awaitFollowing(journal);
        for (int i = 0; i < 30; i++) {
          put(client, "/after/" + (i % 10), "w" + i);
        }
        chosen.add(put(client, "/after/x", ""));
        long txn = client.getKVClient().txn().Then(Op.put(bytes("/txn/a"), bytes("1"), PutOption.DEFAULT),
            Op.put(bytes("/txn/b"), bytes("2"), PutOption.DEFAULT),
            Op.delete(bytes("/before/3"), DeleteOption.DEFAULT),
            Op.put(bytes("/before/4"), bytes("changed"), PutOption.DEFAULT))
            .commit().get(60, TimeUnit.SECONDS).getHeader().getRevision();
        chosen.add(txn);
        client.getKVClient().delete(bytes("/after/"), DeleteOption.builder().isPrefix(true).build())
            .get(60, TimeUnit.SECONDS);
        chosen.add(put(client, "/last", "end"));
        journal.stop(WAIT);
        ProcessResult stopped = journal.await(WAIT);
        assertThat(stopped.exitCode()).as(stopped.toString()).isZero();
        assertThat(stopped.stdout()).contains("durable up to revision " + chosen.get(2));
      }
      assertPrivate(dir.resolve("volume/journal/main"));
      ProcessResult verified = Jar.run("verify", dir.resolve("volume/journal/main").toString());
      assertThat(verified.exitCode()).as(verified.toString()).isZero();
      assertThat(verified.stdout()).contains(": revisions ").contains(" to " + chosen.get(2) + ", ")
          .doesNotContain("torn");
      for (long revision : chosen) {
        volume.assertRestoredAsAt(cluster, client, revision);
      }
      ProcessResult beyond = volume.restore(chosen.get(2) + 1, dir.resolve("beyond"));
      assertThat(beyond.exitCode()).isEqualTo(1);
      assertThat(Jar.messages(beyond)).singleElement().asString()
          .contains("does not hold every revision").contains("to " + (chosen.get(2) + 1));
      assertThat(dir.resolve("beyond")).doesNotExist();
    }
  }

  @Test
  void aJournalKilledMidRunContinuesWithoutLosingWhatWasSynced() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      put(client, "/seed", "s");
      volume.snapshot(cluster);
      long synced;
      try (RunningProcess journal = volume.startJournal(cluster)) {
        JournalVolume.awaitFollowing(journal);
        for (int i = 0; i < 200; i++) {
          put(client, "/k/" + (i % 37), "a" + i);
        }
        synced = put(client, "/synced", "yes");
        Polling.await("the journal durable up to " + synced, WAIT,
            () -> volume.restore(synced, dir.resolve("probe"), "--dry-run").exitCode() == 0, journal::stderr);
        Thread writer = new Thread(() -> {
          for (int i = 0; i < 300; i++) {
            uncheckedPut(client, "/k/" + (i % 41), "b" + i);
          }
        });
        writer.start();
        Thread.sleep(300);
        journal.kill();
        writer.join();
      }
      assertThat(volume.restore(synced, dir.resolve("at-sync"), "--dry-run").exitCode()).isZero();
      long last;
      try (RunningProcess journal = volume.startJournal(cluster)) {
        JournalVolume.awaitFollowing(journal);
        for (int i = 0; i < 20; i++) {
          put(client, "/k/" + i, "c" + i);
        }
        last = put(client, "/final", "f");
        journal.stop(WAIT);
        assertThat(journal.await(WAIT).stdout()).contains("durable up to revision " + last);
      }
      volume.assertRestoredAsAt(cluster, client, synced);
      volume.assertRestoredAsAt(cluster, client, last);
    }
  }

  @Test
  void restoresToATimeAsTheNewestRevisionTheJournalHadReceivedByThen() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      put(client, "/a", "1");
      volume.snapshot(cluster);
      long before;
      Instant at;
      try (RunningProcess journal = volume.startJournal(cluster)) {
        JournalVolume.awaitFollowing(journal);
        before = 0;
        for (int i = 0; i < 20; i++) {
          before = put(client, "/before/" + i, "b");
        }
        long durable = before;
        Polling.await("the journal durable up to " + durable, WAIT,
            () -> volume.restore(durable, dir.resolve("probe"), "--dry-run").exitCode() == 0, journal::stderr);
        at = Instant.now();
        Thread.sleep(500);
        for (int i = 0; i < 20; i++) {
          put(client, "/after/" + i, "a");
        }
        journal.stop(WAIT);
        assertThat(journal.await(WAIT).exitCode()).isZero();
      }
      volume.assertRestoredAsAt(cluster, client, before, List.of("--to-time", at.toString()), etcdctl -> { });
      ProcessResult tooEarly = volume.restore(List.of("--to-time", "2000-01-01T00:00:00Z"),
          RestoredCluster.plan(dir.resolve("early"), 1).get(0));
      assertThat(tooEarly.exitCode()).isEqualTo(1);
      assertThat(Jar.messages(tooEarly)).singleElement().asString().contains("received by 2000-01-01T00:00:00Z");
    }
  }

  @Test
  void keysComeBackAttachedToTheirLeasesAndRevokedLeasesStayGone() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      long early = grant(client, 600);
      long old = grant(client, 600);
      put(client, "/old", "o", old);
      put(client, "/plain", "p");
      volume.snapshot(cluster);
      long late;
      long late2;
      long revoked;
      long afterRevoke;
      try (RunningProcess journal = volume.startJournal(cluster)) {
        JournalVolume.awaitFollowing(journal);
        put(client, "/attached", "a", early);
        late = grant(client, 600);
        long lateAttached = put(client, "/late", "l", late);
        revoked = grant(client, 600);
        put(client, "/doomed", "d", revoked);
        client.getLeaseClient().revoke(revoked).get(60, TimeUnit.SECONDS);
        client.getLeaseClient().revoke(old).get(60, TimeUnit.SECONDS);
        late2 = grant(client, 900);
        afterRevoke = put(client, "/late2", "l2", late2);
        journal.stop(WAIT);
        assertThat(journal.await(WAIT).stdout()).contains("durable up to revision " + afterRevoke);
        volume.assertRestoredAsAt(cluster, client, lateAttached, JournalVolume.toRevision(lateAttached),
            etcdctl -> assertThat(attachedKeys(etcdctl, late)).contains("/late"));
      }
      volume.assertRestoredAsAt(cluster, client, afterRevoke, JournalVolume.toRevision(afterRevoke), etcdctl -> {
        assertThat(attachedKeys(etcdctl, early)).as("the snapshot's lease").contains("/attached");
        assertThat(attachedKeys(etcdctl, late)).as("a lease granted after the snapshot").contains("/late");
        assertThat(etcdctl.ok("lease", "timetolive", Long.toHexString(late2))).as("its granted TTL")
            .contains("granted with TTL(900s)");
        assertThat(etcdctl.ok("lease", "list")).as("revoked leases, one the snapshot held")
            .doesNotContain(Long.toHexString(revoked)).doesNotContain(Long.toHexString(old));
      });
    }
  }

  private static String attachedKeys(Etcdctl etcdctl, long lease) {
    return etcdctl.ok("lease", "timetolive", Long.toHexString(lease), "--keys");
  }

  private static long grant(Client client, long ttl) throws Exception {
    return client.getLeaseClient().grant(ttl).get(60, TimeUnit.SECONDS).getID();
  }

  private static long put(Client client, String key, String value, long lease) throws Exception {
    return client.getKVClient().put(bytes(key), bytes(value), PutOption.builder().withLeaseId(lease).build())
        .get(60, TimeUnit.SECONDS).getHeader().getRevision();
  }

  @Test
  void aCatchUpLargerThanOneMessageArrivesInFragments() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      put(client, "/a", "1");
      volume.snapshot(cluster);
      // 80 revisions of 1 MiB: one catch-up batch of 80 MiB, more than the 64 MiB a message to the journal may hold.
      DataSeeder.fill(cluster, "big", 80);
      long last = put(client, "/last", "l");
      try (RunningProcess journal = volume.startJournal(cluster)) {
        Polling.await("the journal caught up to " + last, WAIT, () -> Jar.run("status",
            dir.resolve("volume/journal/main").toString()).stdout().contains(" to " + last + ", "), journal::stderr);
        journal.stop(WAIT);
        assertThat(journal.await(WAIT).exitCode()).isZero();
      }
      // Too large for one range read of the keyspace: the member's HashKV and key count stand for it.
      List<RestoredCluster.Node> nodes = RestoredCluster.plan(Files.createDirectories(dir.resolve("big")), 1);
      ProcessResult restored = volume.restore(JournalVolume.toRevision(last), nodes.get(0));
      assertThat(restored.exitCode()).as(restored.toString()).isZero();
      try (RestoredCluster member = RestoredCluster.start(VERSION, nodes, dir.resolve("big"))) {
        Etcdctl etcdctl = member.etcdctl(nodes.get(0));
        assertThat(etcdctl.hashKv(last)).isEqualTo(cluster.etcdctl().hashKv(last));
        assertThat(etcdctl.keyCount()).isEqualTo(cluster.etcdctl().keyCount());
      }
    }
  }

  private static void assertPrivate(Path journalDir) throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journalDir))).isEqualTo("rwx------");
    try (Stream<Path> files = Files.list(journalDir)) {
      List<Path> segments = files.toList();
      assertThat(segments).hasSizeGreaterThan(0).allSatisfy(f -> assertThat(
          PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------"));
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
