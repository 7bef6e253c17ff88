package io.etcdsnapshotter.e2e.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
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
import java.util.function.Consumer;

/**
 * A snapshot volume under a test's temp dir, with the jar's snapshot and journal commands run against an etcd cluster
 * with auth, and restores from it checked against the source: each restored member, started, serves the source's
 * keyspace at the revision restored to, with the same {@code HashKV}.
 */
final class JournalVolume {
  static final Duration WAIT = Duration.ofSeconds(60);
  private final Path dir;
  private final EtcdVersion version;

  JournalVolume(Path dir, EtcdVersion version) {
    this.dir = dir;
    this.version = version;
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

  void snapshot(EtcdCluster cluster, String... extra) {
    List<String> args = new ArrayList<>(List.of("snapshot", "--dir", volume().toString()));
    args.addAll(List.of(extra));
    ProcessResult saved = Jar.run(withAuth(cluster, args.toArray(String[]::new)));
    assertThat(saved.exitCode()).as(saved.toString()).isZero();
  }

  RunningProcess startJournal(EtcdCluster cluster, String... extra) {
    List<String> args = new ArrayList<>(List.of("journal", "--dir", volume().toString(), "--fsync-interval", "200ms",
        "--segment-size-mib", "1"));
    args.addAll(List.of(extra));
    return Jar.start(withAuth(cluster, args.toArray(String[]::new)));
  }

  private String[] withAuth(EtcdCluster cluster, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--cluster", "main=" + cluster.endpoints(), "--user", EtcdCluster.USER, "--password-file",
        EtcdCluster.writePasswordFile(dir.resolve("password")).toString()));
    return all.toArray(String[]::new);
  }

  /** The journal logs where it starts following just before it creates its watch. */
  static void awaitFollowing(RunningProcess journal) {
    Polling.await("the journal following", WAIT, () -> journal.stderr().contains("following from revision"),
        journal::stderr);
  }

  ProcessResult restore(long revision, Path dataDir, String... extra) {
    RestoredCluster.Node planned = RestoredCluster.plan(dir, 1).get(0);
    return restore(revision, new RestoredCluster.Node(planned.name(), planned.clientPort(), planned.peerPort(),
        dataDir), extra);
  }

  ProcessResult restore(long revision, RestoredCluster.Node node, String... extra) {
    return restore(toRevision(revision), node, extra);
  }

  ProcessResult restore(List<String> target, RestoredCluster.Node node, String... extra) {
    return restore(snapshotFile(), target, node, extra);
  }

  ProcessResult restore(Path snapshot, List<String> target, RestoredCluster.Node node, String... extra) {
    List<String> args = new ArrayList<>(List.of("restore", snapshot.toString(), "--journal",
        journalDir().toString()));
    args.addAll(target);
    args.addAll(List.of("--name", node.name(), "--data-dir", node.dataDir().toString(),
        "--initial-cluster", RestoredCluster.initialCluster(List.of(node)),
        "--initial-advertise-peer-urls", node.peerUrl()));
    args.addAll(List.of(extra));
    return Jar.run(args.toArray(String[]::new));
  }

  static List<String> toRevision(long revision) {
    return List.of("--to-revision", Long.toString(revision));
  }

  /** A member restored to {@code revision} and started serves the source's keyspace at that revision, same HashKV. */
  void assertRestoredAsAt(EtcdCluster source, Client sourceClient, long revision) throws Exception {
    assertRestoredAsAt(source, sourceClient, revision, toRevision(revision), etcdctl -> { });
  }

  /** As above, restored from {@code snapshot} (the newest, or an older generation). */
  void assertRestoredAsAt(EtcdCluster source, Client sourceClient, long revision, Path snapshot) throws Exception {
    assertRestoredAsAt(source, sourceClient, revision, snapshot, toRevision(revision), etcdctl -> { });
  }

  /**
   * As above, restored with the {@code target} flags, which must come to {@code revision}; {@code alsoCheck} is run
   * against the restored member while it serves.
   */
  void assertRestoredAsAt(EtcdCluster source, Client sourceClient, long revision, List<String> target,
      Consumer<Etcdctl> alsoCheck) throws Exception {
    assertRestoredAsAt(source, sourceClient, revision, snapshotFile(), target, alsoCheck);
  }

  private void assertRestoredAsAt(EtcdCluster source, Client sourceClient, long revision, Path snapshot,
      List<String> target, Consumer<Etcdctl> alsoCheck) throws Exception {
    Path at = dir.resolve("at-" + revision);
    Files.createDirectories(at);
    List<RestoredCluster.Node> nodes = RestoredCluster.plan(at, 1);
    ProcessResult restored = restore(snapshot, target, nodes.get(0));
    assertThat(restored.exitCode()).as(restored.toString()).isZero();
    try (RestoredCluster member = RestoredCluster.start(version, nodes, at);
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
  }
}
