package io.etcdsnapshotter.e2e.journal;

import static io.etcdsnapshotter.e2e.journal.JournalVolume.attachedKeys;
import static io.etcdsnapshotter.e2e.journal.JournalVolume.bytes;
import static io.etcdsnapshotter.e2e.journal.JournalVolume.grant;
import static io.etcdsnapshotter.e2e.journal.JournalVolume.put;
import static io.etcdsnapshotter.e2e.journal.JournalVolume.toRevision;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Point-in-time restore against real etcd 3.5 and 3.6: every kind of write while the journal follows, restored to
 * chosen revisions and to a time; and the base snapshot taken from the volume's generations, a gap between chains
 * refused, and the chain of a pruned generation deleted with it.
 */
class PointInTimeRestoreTest {
  /** Long enough that the lease outlives the checks of the revision it was attached at, on a busy machine. */
  private static final long EXPIRING_TTL = 15;

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(value = EtcdVersion.class, names = {"V3_5", "V3_6"})
  void restoresEachChosenRevisionAndATimeAsTheSourceWasThen(EtcdVersion version) throws Exception {
    version.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(version, 1, Security.AUTH); Client client = cluster.client()) {
      JournalVolume volume = new JournalVolume(version, dir, cluster);
      put(client, "/kept", "k", grant(client, 600));
      for (int i = 0; i < 20; i++) {
        put(client, "/seed/" + i, "s" + i);
      }
      volume.snapshot();
      long puts;
      long txn;
      long expiring;
      long attached;
      long deleted;
      long last;
      Instant at;
      try (RunningProcess journal = volume.follow()) {
        for (int i = 0; i < 20; i++) {
          put(client, "/a/" + (i % 7), "a" + i);
        }
        puts = put(client, "/a/x", "");
        long granted = grant(client, 600);
        expiring = grant(client, EXPIRING_TTL);
        put(client, "/leased", "l", granted);
        txn = client.getKVClient().txn().Then(Op.put(bytes("/txn/a"), bytes("1"), PutOption.DEFAULT),
            Op.put(bytes("/txn/b"), bytes("2"), PutOption.builder().withLeaseId(granted).build()),
            Op.delete(bytes("/seed/3"), DeleteOption.DEFAULT),
            Op.put(bytes("/seed/4"), bytes("changed"), PutOption.DEFAULT))
            .commit().get(60, TimeUnit.SECONDS).getHeader().getRevision();
        attached = put(client, "/expiring", "e", expiring);
        volume.awaitDurable(attached, journal);
        at = Instant.now();
        Thread.sleep(500);
        long revoked = grant(client, 600);
        put(client, "/doomed", "d", revoked);
        client.getLeaseClient().revoke(revoked).get(60, TimeUnit.SECONDS);
        deleted = client.getKVClient().delete(bytes("/a/"), DeleteOption.builder().isPrefix(true).build())
            .get(60, TimeUnit.SECONDS).getHeader().getRevision();
        Polling.await("the lease of /expiring expired on the source", Duration.ofSeconds(EXPIRING_TTL + 30),
            () -> cluster.etcdctl().ok("get", "/expiring").isBlank(), journal::stderr);
        last = put(client, "/last", "end");
        JournalVolume.stop(journal, last);
      }
      for (long revision : List.of(puts, txn, deleted, last)) {
        volume.assertRestoredAsAt(revision);
      }
      volume.assertRestoredAsAt(attached, toRevision(attached), etcdctl -> {
        assertThat(etcdctl.ok("lease", "timetolive", Long.toHexString(expiring)))
            .contains("granted with TTL(" + EXPIRING_TTL + "s)");
        assertThat(attachedKeys(etcdctl, expiring)).contains("/expiring");
        Polling.await("/expiring expired on the restored member", Duration.ofSeconds(EXPIRING_TTL + 30),
            () -> etcdctl.ok("get", "/expiring").isBlank(), () -> attachedKeys(etcdctl, expiring));
      });
      volume.assertRestoredAsAt(attached, List.of("--to-time", at.toString()), etcdctl -> { });
    }
  }

  @ParameterizedTest
  @EnumSource(value = EtcdVersion.class, names = {"V3_5", "V3_6"})
  void takesTheBaseFromTheGenerationsRefusesAGapAndDropsTheChainOfAPrunedSnapshot(EtcdVersion version)
      throws Exception {
    version.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(version, 1, Security.AUTH); Client client = cluster.client()) {
      JournalVolume volume = new JournalVolume(version, dir, cluster);
      long a = put(client, "/seed", "s");
      volume.snapshot("--keep", "2");
      long inA;
      long x;
      try (RunningProcess journal = volume.follow()) {
        inA = put(client, "/k", "1");
        x = put(client, "/k", "2");
        JournalVolume.stop(journal, x);
      }
      long gap = put(client, "/k", "missed");
      long b = put(client, "/k", "in b");
      volume.snapshot("--keep", "2");
      assertThat(volume.assertRestoredAsAt(inA).stdout()).as("from the generation of revision " + a)
          .contains("/generations/snapshot.").contains("(revision " + a + ") to revision " + inA);
      // Compacted past x, the gap is lost to the journal: its next start begins b's chain with chain a ending at x.
      client.getKVClient().compact(b).get(60, TimeUnit.SECONDS);
      long inB;
      long y;
      try (RunningProcess journal = volume.follow()) {
        inB = put(client, "/k", "3");
        y = put(client, "/other", "4");
        JournalVolume.stop(journal, y);
      }
      assertThat(volume.assertRestoredAsAt(inB).stdout()).as("from the current file")
          .contains("/snapshot.db (revision " + b + ") to revision " + inB);
      volume.assertRefused(gap, "revision " + gap + " is not covered (it falls in a gap between chains: one ends"
          + " at " + x + ", the next starts at its snapshot's revision " + b + "): ",
          a + "-" + x + " and " + b + "-" + y);
      volume.assertRefused(y + 1, "revision " + (y + 1) + " is not covered: ", a + "-" + x + " and " + b + "-" + y);

      ProcessResult pruned = volume.snapshot("--keep", "1");
      assertThat(pruned.stderr()).contains("deleting the journal chain from revision " + a + " to " + x);
      assertThat(segments(volume)).isNotEmpty()
          .noneMatch(name -> name.startsWith(String.format("%016x-", a)))
          .anyMatch(name -> name.startsWith(String.format("%016x-", b)));
      volume.assertRefused(inA, "revision " + inA + " is not covered: ", b + "-" + y);
      ProcessResult kept = volume.restore(inB, dir.resolve("kept"), "--dry-run");
      assertThat(kept.exitCode()).as(kept.toString()).isZero();
      assertThat(kept.stdout()).contains("/generations/snapshot.").contains("(revision " + b + ")");
    }
  }

  /**
   * etcd compacts a restore marked compacted below its bump on its first start, keeping each key's newest revision
   * only: the restore writes no more than that of the journal, so hours of overwrites cannot take the db past etcd's
   * space quota. The keyspace is the source's all the same: values, create and mod revisions, versions, leases.
   */
  @Test
  void aRestoreMarkedCompactedWritesEachKeysLastChangeOfTheJournalOnly() throws Exception {
    EtcdVersion version = EtcdVersion.V3_6;
    version.assumeInstalled();
    try (EtcdCluster cluster = EtcdCluster.start(version, 1, Security.AUTH); Client client = cluster.client()) {
      JournalVolume volume = new JournalVolume(version, dir, cluster);
      put(client, "/hot/0", "before");
      volume.snapshot();
      String large = "v".repeat(8 << 10);
      long last;
      try (RunningProcess journal = volume.follow()) {
        long lease = grant(client, 600);
        for (int i = 0; i < 400; i++) {
          put(client, "/hot/" + i % 4, large + i, i % 4 == 3 ? lease : 0);
        }
        client.getKVClient().delete(bytes("/hot/2")).get(60, TimeUnit.SECONDS);
        put(client, "/gone", "g");
        client.getKVClient().delete(bytes("/gone")).get(60, TimeUnit.SECONDS);
        put(client, "/hot/1", "last of /hot/1");
        last = put(client, "/last", "end");
        JournalVolume.stop(journal, last);
      }
      List<String> marked = List.of("--bump-revision", "1000", "--mark-compacted");
      long whole = restoredDbSize(volume, last, "whole");
      long compacted = restoredDbSize(volume, last, "compacted", marked.toArray(String[]::new));
      assertThat(whole - compacted).as("the 396 superseded values of 8 KiB left out (db of %d against %d bytes)",
          compacted, whole).isGreaterThan(396L * (8 << 10) * 9 / 10);
      volume.assertRestoredAsAt(last, 1, marked, etcdctl -> { });
    }
  }

  private long restoredDbSize(JournalVolume volume, long revision, String name, String... extra)
      throws Exception {
    Path dataDir = dir.resolve(name);
    ProcessResult restored = volume.restore(revision, dataDir, extra);
    assertThat(restored.exitCode()).as(restored.toString()).isZero();
    return Files.size(dataDir.resolve("member/snap/db"));
  }

  private static List<String> segments(JournalVolume volume) throws Exception {
    try (Stream<Path> files = Files.list(volume.journalDir())) {
      return files.map(f -> f.getFileName().toString()).toList();
    }
  }
}
