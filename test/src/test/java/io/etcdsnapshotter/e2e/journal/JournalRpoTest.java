package io.etcdsnapshotter.e2e.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdMember;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Keyspace;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import io.etcdsnapshotter.e2e.restore.RestoredCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's RPO: a writer puts continuously into a three-member etcd 3.6 cluster, each put's acknowledgement
 * timed; at a random moment the journal process and every member are killed (SIGKILL, as a lost machine), and the
 * volume is restored to the newest time the journal stamped. The acknowledged writes missing from the restore are
 * only those of the last fsync interval (and the moments it takes to fsync); the figure is printed.
 */
class JournalRpoTest {
  private static final EtcdVersion VERSION = EtcdVersion.V3_6;
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration FSYNC = Duration.ofSeconds(1);
  /**
   * Time for the watch to deliver (its read pace, 50 ms, among it), the fsync to finish and a loaded test machine
   * to schedule both.
   */
  private static final Duration SLACK = Duration.ofMillis(1000);

  @TempDir Path dir;

  @Test
  void theAcknowledgedWritesLostAreOnlyThoseOfTheLastFsyncInterval() throws Exception {
    VERSION.assumeInstalled();
    Path volume = dir.resolve("volume");
    List<Long> acknowledged = new ArrayList<>();
    long killedAt;
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 3, Security.AUTH); Client client = cluster.client()) {
      List<String> connection = List.of("--cluster", "main=" + cluster.endpoints(), "--user", EtcdCluster.USER,
          "--password-file", EtcdCluster.writePasswordFile(dir.resolve("password")).toString());
      ProcessResult saved = Jar.run(args(connection, "snapshot", "--dir", volume.toString()));
      assertThat(saved.exitCode()).as(saved.toString()).isZero();
      try (RunningProcess journal = Jar.start(args(connection, "journal", "--dir", volume.toString(),
          "--fsync-interval", FSYNC.toMillis() + "ms"))) {
        Polling.await("the journal following", WAIT, () -> journal.stderr().contains("following from revision"),
            journal::stderr);
        Thread writer = new Thread(() -> writeUntilRefused(client, acknowledged));
        writer.start();
        Thread.sleep(3000 + new Random().nextInt(3000));
        killedAt = System.nanoTime();
        journal.kill();
        cluster.members().forEach(EtcdMember::kill);
        writer.join(WAIT.toMillis());
      }
    }
    List<RestoredCluster.Node> nodes = RestoredCluster.plan(dir, 1);
    RestoredCluster.Node node = nodes.get(0);
    ProcessResult restored = Jar.run("restore", volume.resolve("snapshot.db").toString(), "--journal",
        volume.resolve("journal/main").toString(), "--to-time", Instant.now().toString(), "--name", node.name(),
        "--data-dir", node.dataDir().toString(), "--initial-cluster", RestoredCluster.initialCluster(nodes),
        "--initial-advertise-peer-urls", node.peerUrl());
    assertThat(restored.exitCode()).as(restored.toString()).isZero();
    Map<String, String> kept;
    try (RestoredCluster member = RestoredCluster.start(VERSION, nodes, dir);
        Client client = Client.builder().endpoints(node.clientUrl())
            .user(ByteSequence.from(EtcdCluster.USER, StandardCharsets.UTF_8))
            .password(ByteSequence.from(EtcdCluster.PASSWORD, StandardCharsets.UTF_8)).build()) {
      kept = Keyspace.dump(client);
    }
    List<Long> missingAges = new ArrayList<>();
    synchronized (acknowledged) {
      assertThat(acknowledged).as("writes acknowledged before the kill").hasSizeGreaterThan(100);
      for (int i = 0; i < acknowledged.size(); i++) {
        if (!kept.containsKey(key(i))) {
          missingAges.add(TimeUnit.NANOSECONDS.toMillis(killedAt - acknowledged.get(i)));
        }
      }
      System.out.printf("RPO: %d of %d acknowledged writes missing after the crash; the oldest acknowledged %d ms"
          + " before it (fsync interval %d ms)%n", missingAges.size(), acknowledged.size(),
          missingAges.stream().mapToLong(Long::longValue).max().orElse(0), FSYNC.toMillis());
    }
    assertThat(missingAges).as("ms between each missing write's acknowledgement and the crash")
        .allSatisfy(age -> assertThat(age).isLessThan(FSYNC.plus(SLACK).toMillis()));
  }

  /** Puts one key after another, recording when each was acknowledged, until etcd is gone. */
  private static void writeUntilRefused(Client client, List<Long> acknowledged) {
    for (int i = 0; ; i++) {
      try {
        client.getKVClient().put(bytes(key(i)), bytes(Integer.toString(i))).get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        return;
      }
      synchronized (acknowledged) {
        acknowledged.add(System.nanoTime());
      }
    }
  }

  private static String key(int i) {
    return String.format("/rpo/%07d", i);
  }

  private static String[] args(List<String> connection, String... command) {
    return Stream.concat(Stream.of(command), connection.stream()).toArray(String[]::new);
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
