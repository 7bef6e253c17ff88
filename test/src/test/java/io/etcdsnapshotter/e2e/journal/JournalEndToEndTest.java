package io.etcdsnapshotter.e2e.journal;

import static io.etcdsnapshotter.e2e.journal.JournalVolume.attachedKeys;
import static io.etcdsnapshotter.e2e.journal.JournalVolume.bytes;
import static io.etcdsnapshotter.e2e.journal.JournalVolume.grant;
import static io.etcdsnapshotter.e2e.journal.JournalVolume.put;
import static io.etcdsnapshotter.e2e.journal.JournalVolume.toRevision;
import static io.etcdsnapshotter.e2e.journal.JournalVolume.uncheckedPut;
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
import io.etcdsnapshotter.e2e.etcd.Keyspace;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import io.etcdsnapshotter.e2e.restore.RestoredCluster;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
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

  @Test
  void restoresToEachChosenRevisionExactlyAsTheSourceWasThen() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      JournalVolume volume = new JournalVolume(VERSION, dir, cluster);
      for (int i = 0; i < 50; i++) {
        put(client, "/before/" + i, "v" + i);
      }
      volume.snapshot();
      List<Long> chosen = new ArrayList<>();
      try (RunningProcess journal = volume.follow()) {
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
      assertPrivate(volume.journalDir());
      ProcessResult verified = Jar.run("verify", volume.journalDir().toString());
      assertThat(verified.exitCode()).as(verified.toString()).isZero();
      assertThat(verified.stdout()).contains(": revisions ").contains(" to " + chosen.get(2) + ", ")
          .doesNotContain("torn");
      for (long revision : chosen) {
        volume.assertRestoredAsAt(revision);
      }
      ProcessResult beyond = volume.restore(chosen.get(2) + 1, dir.resolve("beyond"));
      assertThat(beyond.exitCode()).isEqualTo(1);
      assertThat(Jar.messages(beyond)).singleElement().asString()
          .contains("revision " + (chosen.get(2) + 1) + " is not covered")
          .contains("-" + chosen.get(2) + "; give a revision in those");
      assertThat(dir.resolve("beyond")).doesNotExist();
    }
  }

  /**
   * The restore of a three-master control plane: each member restored to the same revision with its own name, data
   * dir and peer URL, and the bump Kubernetes' watch caches need.
   */
  @Test
  void threeMembersRestoredToARevisionWithABumpFormOneClusterAsTheSourceWasThen() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      JournalVolume volume = new JournalVolume(VERSION, dir, cluster);
      put(client, "/before/leased", "b", grant(client, 600));
      for (int i = 0; i < 10; i++) {
        put(client, "/before/" + i, "v" + i);
      }
      volume.snapshot();
      long later = grant(client, 600);
      long chosen;
      try (RunningProcess journal = volume.follow()) {
        for (int i = 0; i < 10; i++) {
          put(client, "/after/" + (i % 4), "w" + i);
        }
        put(client, "/after/leased", "l", later);
        client.getKVClient().delete(bytes("/before/2")).get(60, TimeUnit.SECONDS);
        chosen = put(client, "/chosen", "c");
        put(client, "/after/0", "past the chosen revision");
        long last = put(client, "/last", "end");
        JournalVolume.stop(journal, last);
      }
      long bump = 1_000_000;
      volume.assertRestoredAsAt(chosen, 3, List.of("--bump-revision", Long.toString(bump), "--mark-compacted"),
          etcdctl -> {
            assertThat(attachedKeys(etcdctl, later)).contains("/after/leased");
            assertThat(etcdctl.run("get", "/chosen", "--rev=" + chosen).stderr()).as("history before the bump")
                .contains("compacted");
            etcdctl.ok("put", "/after/restore", "ok");
            assertThat(etcdctl.revision()).as("a write, which needs a quorum").isEqualTo(chosen + bump + 1);
          });
    }
  }

  @Test
  void aJournalKilledMidRunContinuesWithoutLosingWhatWasSynced() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      JournalVolume volume = new JournalVolume(VERSION, dir, cluster);
      put(client, "/seed", "s");
      volume.snapshot();
      long synced;
      try (RunningProcess journal = volume.follow()) {
        for (int i = 0; i < 200; i++) {
          put(client, "/k/" + (i % 37), "a" + i);
        }
        synced = put(client, "/synced", "yes");
        volume.awaitDurable(synced, journal);
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
      try (RunningProcess journal = volume.follow()) {
        for (int i = 0; i < 20; i++) {
          put(client, "/k/" + i, "c" + i);
        }
        last = put(client, "/final", "f");
        journal.stop(WAIT);
        assertThat(journal.await(WAIT).stdout()).contains("durable up to revision " + last);
      }
      volume.assertRestoredAsAt(synced);
      volume.assertRestoredAsAt(last);
    }
  }

  @Test
  void restoresToATimeAsTheNewestRevisionTheJournalHadReceivedByThen() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      JournalVolume volume = new JournalVolume(VERSION, dir, cluster);
      put(client, "/a", "1");
      volume.snapshot();
      long before;
      Instant at;
      try (RunningProcess journal = volume.follow()) {
        before = 0;
        for (int i = 0; i < 20; i++) {
          before = put(client, "/before/" + i, "b");
        }
        long durable = before;
        volume.awaitDurable(durable, journal);
        at = Instant.now();
        Thread.sleep(500);
        for (int i = 0; i < 20; i++) {
          put(client, "/after/" + i, "a");
        }
        journal.stop(WAIT);
        assertThat(journal.await(WAIT).exitCode()).isZero();
      }
      volume.assertRestoredAsAt(before, List.of("--to-time", at.toString()), etcdctl -> { });
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
      JournalVolume volume = new JournalVolume(VERSION, dir, cluster);
      long early = grant(client, 600);
      long old = grant(client, 600);
      put(client, "/old", "o", old);
      put(client, "/plain", "p");
      volume.snapshot();
      long late;
      long late2;
      long revoked;
      long afterRevoke;
      try (RunningProcess journal = volume.follow()) {
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
        volume.assertRestoredAsAt(lateAttached, toRevision(lateAttached),
            etcdctl -> assertThat(attachedKeys(etcdctl, late)).contains("/late"));
      }
      volume.assertRestoredAsAt(afterRevoke, toRevision(afterRevoke), etcdctl -> {
        assertThat(attachedKeys(etcdctl, early)).as("the snapshot's lease").contains("/attached");
        assertThat(attachedKeys(etcdctl, late)).as("a lease granted after the snapshot").contains("/late");
        assertThat(etcdctl.ok("lease", "timetolive", Long.toHexString(late2))).as("its granted TTL")
            .contains("granted with TTL(900s)");
        assertThat(etcdctl.ok("lease", "list")).as("revoked leases, one the snapshot held")
            .doesNotContain(Long.toHexString(revoked)).doesNotContain(Long.toHexString(old));
      });
    }
  }

  /**
   * A watch whose connection stays open but passes nothing more (the network between dropping its packets) never
   * stops the journal for good: etcd, asked for its progress, does not answer, so the watch is resumed on a new
   * connection and what etcd took meanwhile is journaled.
   */
  @Test
  void aWatchThatStopsDeliveringIsResumedOnANewConnection() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client();
        FreezingProxy proxy = FreezingProxy.to(URI.create(cluster.endpoints()))) {
      JournalVolume volume = new JournalVolume(VERSION, dir, cluster);
      put(client, "/a", "1");
      volume.snapshot();
      try (RunningProcess journal = volume.startJournalVia(proxy.url(), "--dial-timeout", "3s")) {
        volume.awaitDurable(put(client, "/b", "2"), journal);
        proxy.freeze();
        long last = put(client, "/c", "3");
        volume.awaitDurable(last, journal);
        assertThat(journal.stderr()).contains("the watch delivered nothing for");
        JournalVolume.stop(journal, last);
      }
    }
  }

  @Test
  void aCatchUpLargerThanOneMessageArrivesInFragments() throws Exception {
    VERSION.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH); Client client = cluster.client()) {
      JournalVolume volume = new JournalVolume(VERSION, dir, cluster);
      put(client, "/a", "1");
      volume.snapshot();
      // 80 revisions of 1 MiB: one catch-up batch of 80 MiB, more than the 64 MiB a message to the journal may hold.
      DataSeeder.fill(cluster, "big", 80);
      long last = put(client, "/last", "l");
      try (RunningProcess journal = volume.startJournal()) {
        Polling.await("the journal caught up to " + last, WAIT, () -> Jar.run("status",
            volume.journalDir().toString()).stdout().contains(" to " + last + ", "), journal::stderr);
        journal.stop(WAIT);
        assertThat(journal.await(WAIT).exitCode()).isZero();
      }
      // Too large for one range read of the keyspace: the member's HashKV and key count stand for it.
      List<RestoredCluster.Node> nodes = RestoredCluster.plan(Files.createDirectories(dir.resolve("big")), 1);
      ProcessResult restored = volume.restore(toRevision(last), nodes.get(0));
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
}
