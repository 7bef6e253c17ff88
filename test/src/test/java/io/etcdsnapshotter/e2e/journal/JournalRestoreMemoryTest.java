package io.etcdsnapshotter.e2e.journal;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore streams the journal: the real journal command records a few hundred MiB of writes after a snapshot, four
 * times the heap the real jar then restores them with (-Xmx64m), and the member started on the result has the
 * source's keys and HashKV at the journal's last revision.
 */
class JournalRestoreMemoryTest {
  private static final EtcdVersion VERSION = EtcdVersion.V3_6;
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final int HEAP_MIB = 64;
  private static final int WRITTEN_MIB = 4 * HEAP_MIB;

  @TempDir Path dir;

  @Test
  void aJournalSeveralTimesTheHeapIsReplayedUnderASmallHeap() throws Exception {
    VERSION.assumeInstalled();
    Path volume = dir.resolve("volume");
    Path journalDir = volume.resolve("journal/main");
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH)) {
      Etcdctl source = cluster.etcdctl();
      source.ok("put", "/seed", "s");
      List<String> connection = List.of("--cluster", "main=" + cluster.endpoints(), "--user", EtcdCluster.USER,
          "--password-file", EtcdCluster.writePasswordFile(dir.resolve("password")).toString());
      ProcessResult saved = Jar.run(args(connection, "snapshot", "--dir", volume.toString()));
      assertThat(saved.exitCode()).as(saved.toString()).isZero();
      long last;
      try (RunningProcess journal = Jar.start(args(connection, "journal", "--dir", volume.toString()))) {
        Polling.await("the journal following", WAIT, () -> journal.stderr().contains("following from revision"),
            journal::stderr);
        DataSeeder.fill(cluster, "big", WRITTEN_MIB);
        source.ok("put", "/last", "l");
        last = source.revision();
        // The replay under a small heap is what this test is about, not the catch-up in SIGTERM's 5 s grace: a
        // journal still far behind a loaded machine's 256 MiB burst would stop short of the last revision.
        long target = last;
        Polling.await("the journal holding revision " + last, WAIT,
            () -> Jar.run("status", journalDir.toString()).stdout().contains(" to " + target + ","), journal::stderr);
        journal.stop(WAIT);
        ProcessResult stopped = journal.await(WAIT);
        assertThat(stopped.stdout()).as(stopped.toString()).contains("durable up to revision " + last);
      }
      assertThat(journalBytes(journalDir)).isGreaterThan((long) WRITTEN_MIB << 20);

      List<RestoredCluster.Node> nodes = RestoredCluster.plan(dir, 1);
      RestoredCluster.Node node = nodes.get(0);
      ProcessResult restored = Jar.runWithJvmOptions(List.of("-XX:+UseSerialGC", "-Xmx" + HEAP_MIB + "m"),
          "restore", volume.resolve("snapshot.db").toString(), "--journal", journalDir.toString(),
          "--to-revision", Long.toString(last), "--name", node.name(), "--data-dir", node.dataDir().toString(),
          "--initial-cluster", RestoredCluster.initialCluster(nodes), "--initial-advertise-peer-urls",
          node.peerUrl());
      assertThat(restored.exitCode()).as(restored.toString()).isZero();

      try (RestoredCluster member = RestoredCluster.start(VERSION, nodes, dir)) {
        Etcdctl etcdctl = member.etcdctl(node);
        assertThat(etcdctl.revision()).isEqualTo(last);
        assertThat(etcdctl.keyCount()).isEqualTo(source.keyCount());
        assertThat(etcdctl.hashKv(last)).as("HashKV at " + last).isEqualTo(source.hashKv(last));
      }
    }
  }

  private static String[] args(List<String> connection, String... command) {
    return Stream.concat(Stream.of(command), connection.stream()).toArray(String[]::new);
  }

  private static long journalBytes(Path journal) throws IOException {
    try (Stream<Path> files = Files.list(journal)) {
      return files.mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
