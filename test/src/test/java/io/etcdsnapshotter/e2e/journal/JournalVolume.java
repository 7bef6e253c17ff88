package io.etcdsnapshotter.e2e.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.PutOption;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Etcdctl;
import io.etcdsnapshotter.e2e.etcd.Keyspace;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import io.etcdsnapshotter.e2e.restore.RestoredCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A snapshot volume in {@code dir}/volume of one source cluster (as {@code main}, with auth), filled by the jar's
 * snapshot and journal commands, and restores from it (from the volume's file, or from one snapshot of it named)
 * served by real etcd of the source's release, compared with the source at the same revision.
 */
final class JournalVolume {
  static final Duration WAIT = Duration.ofSeconds(60);

  private final EtcdVersion version;
  private final Path dir;
  private final EtcdCluster source;

  JournalVolume(EtcdVersion version, Path dir, EtcdCluster source) {
    this.version = version;
    this.dir = dir;
    this.source = source;
  }

  Path volume() {
    return dir.resolve("volume");
  }

  Path journalDir() {
    return volume().resolve("journal/main");
  }

  Path snapshotFile() {
    return volume().resolve("snapshot.db");
  }

  ProcessResult snapshot(String... extra) {
    List<String> args = new ArrayList<>(List.of("snapshot", "--dir", volume().toString()));
    args.addAll(List.of(extra));
    ProcessResult saved = Jar.run(withAuth(args.toArray(String[]::new)));
    assertThat(saved.exitCode()).as(saved.toString()).isZero();
    return saved;
  }

  RunningProcess startJournal(String... extra) {
    List<String> args = new ArrayList<>(List.of("journal", "--dir", volume().toString(), "--fsync-interval", "200ms",
        "--segment-size-mib", "1"));
    args.addAll(List.of(extra));
    return Jar.start(withAuth(args.toArray(String[]::new)));
  }

  /** The journal started and following: it logs where it starts just before it creates its watch. */
  RunningProcess follow(String... extra) {
    RunningProcess journal = startJournal(extra);
    Polling.await("the journal following", WAIT, () -> journal.stderr().contains("following from revision"),
        journal::stderr);
    return journal;
  }

  /** Stops the journal by SIGTERM and checks it made everything up to {@code last} durable. */
  static void stop(RunningProcess journal, long last) {
    journal.stop(WAIT);
    ProcessResult stopped = journal.await(WAIT);
    assertThat(stopped.exitCode()).as(stopped.toString()).isZero();
    assertThat(stopped.stdout()).contains("durable up to revision " + last);
  }

  private String[] withAuth(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--cluster", "main=" + source.endpoints(), "--user", EtcdCluster.USER, "--password-file",
        EtcdCluster.writePasswordFile(dir.resolve("password")).toString()));
    return all.toArray(String[]::new);
  }

  static List<String> toRevision(long revision) {
    return List.of("--to-revision", Long.toString(revision));
  }

  /** A restore of the volume's snapshot.db to {@code target} into {@code node}'s data dir. */
  ProcessResult restore(List<String> target, RestoredCluster.Node node, String... extra) {
    return restore(snapshotFile(), target, node, extra);
  }

  /**
   * A restore from {@code snapshot}: the volume's file (its journal and generations found beside it), or another
   * file such as one generation, given the volume's journal and so restored from that snapshot alone.
   */
  private ProcessResult restore(Path snapshot, List<String> target, RestoredCluster.Node node, String... extra) {
    List<String> args = new ArrayList<>(List.of("restore", snapshot.toString()));
    if (!snapshot.equals(snapshotFile())) {
      args.addAll(List.of("--journal", journalDir().toString()));
    }
    args.addAll(target);
    args.addAll(List.of("--name", node.name(), "--data-dir", node.dataDir().toString(),
        "--initial-cluster", RestoredCluster.initialCluster(List.of(node)),
        "--initial-advertise-peer-urls", node.peerUrl()));
    args.addAll(List.of(extra));
    return Jar.run(args.toArray(String[]::new));
  }

  /** A restore to {@code revision} into {@code dataDir}, for a restore expected to fail or a dry run. */
  ProcessResult restore(long revision, Path dataDir, String... extra) {
    RestoredCluster.Node planned = RestoredCluster.plan(dir, 1).get(0);
    return restore(toRevision(revision), new RestoredCluster.Node(planned.name(), planned.clientPort(),
        planned.peerPort(), dataDir), extra);
  }

  /** Waits until a dry-run restore to {@code revision} succeeds: the journal has made it durable. */
  void awaitDurable(long revision, RunningProcess journal) {
    Polling.await("the journal durable up to " + revision, WAIT,
        () -> restore(revision, dir.resolve("probe"), "--dry-run").exitCode() == 0, journal::stderr);
  }

  /** A member restored to {@code revision} and started serves the source's keyspace at that revision, same HashKV. */
  ProcessResult assertRestoredAsAt(long revision) throws Exception {
    return assertRestoredAsAt(revision, toRevision(revision), etcdctl -> { });
  }

  /** As above, restored from {@code snapshot} (an older generation) and the journal's chain that continues it. */
  ProcessResult assertRestoredAsAt(long revision, Path snapshot) throws Exception {
    return assertRestoredAsAt(revision, snapshot, toRevision(revision), etcdctl -> { });
  }

  /**
   * As above, restored with the {@code target} flags, which must come to {@code revision}; {@code alsoCheck} is run
   * against the restored member while it serves. Returns the restore's result.
   */
  ProcessResult assertRestoredAsAt(long revision, List<String> target, Consumer<Etcdctl> alsoCheck)
      throws Exception {
    return assertRestoredAsAt(revision, snapshotFile(), target, alsoCheck);
  }

  private ProcessResult assertRestoredAsAt(long revision, Path snapshot, List<String> target,
      Consumer<Etcdctl> alsoCheck) throws Exception {
    Path at = Files.createDirectories(dir.resolve("at-" + revision + "-" + System.nanoTime()));
    List<RestoredCluster.Node> nodes = RestoredCluster.plan(at, 1);
    ProcessResult restored = restore(snapshot, target, nodes.get(0));
    assertThat(restored.exitCode()).as(restored.toString()).isZero();
    try (RestoredCluster member = RestoredCluster.start(version, nodes, at);
        Client sourceClient = source.client();
        Client client = Client.builder().endpoints(nodes.get(0).clientUrl())
            .user(ByteSequence.from(EtcdCluster.USER, StandardCharsets.UTF_8))
            .password(ByteSequence.from(EtcdCluster.PASSWORD, StandardCharsets.UTF_8)).build()) {
      Map<String, String> expected = Keyspace.dump(sourceClient, revision);
      assertThat(expected).isNotEmpty();
      assertThat(Keyspace.dump(client)).as("keyspace at " + revision).isEqualTo(expected);
      assertThat(member.etcdctl(nodes.get(0)).hashKv(revision)).as("HashKV at " + revision)
          .isEqualTo(source.etcdctl().hashKv(revision));
      alsoCheck.accept(member.etcdctl(nodes.get(0)));
    }
    return restored;
  }

  static long put(Client client, String key, String value) throws Exception {
    return client.getKVClient().put(bytes(key), bytes(value)).get(60, TimeUnit.SECONDS).getHeader().getRevision();
  }

  /** A put for a writer thread, whose failure ends the thread. */
  static void uncheckedPut(Client client, String key, String value) {
    try {
      put(client, key, value);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static long put(Client client, String key, String value, long lease) throws Exception {
    return client.getKVClient().put(bytes(key), bytes(value), PutOption.builder().withLeaseId(lease).build())
        .get(60, TimeUnit.SECONDS).getHeader().getRevision();
  }

  static long grant(Client client, long ttl) throws Exception {
    return client.getLeaseClient().grant(ttl).get(60, TimeUnit.SECONDS).getID();
  }

  static String attachedKeys(Etcdctl etcdctl, long lease) {
    return etcdctl.ok("lease", "timetolive", Long.toHexString(lease), "--keys");
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
