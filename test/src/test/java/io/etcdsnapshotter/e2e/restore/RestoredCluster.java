package io.etcdsnapshotter.e2e.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Etcdctl;
import io.etcdsnapshotter.e2e.fs.Sha256Sum;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import io.etcdsnapshotter.testing.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Real etcd servers started on data dirs that a restore wrote (the fixture's EtcdCluster bootstraps its own).
 * Plan the members first, since their peer URLs go into the restore flags; close() kills every server.
 */
public final class RestoredCluster implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(60);

  /** One planned member: its name, loopback ports and the data dir the restore writes. */
  public record Node(String name, int clientPort, int peerPort, Path dataDir) {
    public URI clientUrl() {
      return URI.create("http://127.0.0.1:" + clientPort);
    }

    public String peerUrl() {
      return "http://127.0.0.1:" + peerPort;
    }
  }

  private final EtcdVersion version;
  private final List<Node> nodes;
  private final Path logs;
  private final List<RunningProcess> processes = new ArrayList<>();

  private RestoredCluster(EtcdVersion version, List<Node> nodes, Path logs) {
    this.version = version;
    this.nodes = nodes;
    this.logs = logs;
  }

  public static List<Node> plan(Path dir, int size) {
    List<Integer> ports = FreePorts.allocate(2 * size);
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      nodes.add(new Node("r" + i, ports.get(2 * i), ports.get(2 * i + 1), dir.resolve("r" + i)));
    }
    return nodes;
  }

  public static String initialCluster(List<Node> nodes) {
    return nodes.stream().map(n -> n.name() + "=" + n.peerUrl()).collect(Collectors.joining(","));
  }

  /**
   * Restores {@code snapshot} into the data dir of the single planned {@code node} as kubernetes.etcd.restored
   * does: with the token {@code <token>-restored-<12 hex of the file's sha256>}, the one restoredBy recognises;
   * {@code options} are more restore flags. Fails the test unless the restore succeeds.
   */
  public static void restoreAsSaltDoes(Path snapshot, String token, Node node, String... options) throws IOException {
    List<String> args = new ArrayList<>(List.of("restore", snapshot.toString(), "--data-dir",
        node.dataDir().toString(), "--name", node.name(), "--initial-cluster", initialCluster(List.of(node)),
        "--initial-advertise-peer-urls", node.peerUrl(), "--initial-cluster-token",
        token + "-restored-" + Sha256Sum.of(snapshot).substring(0, 12)));
    args.addAll(List.of(options));
    ProcessResult restore = Jar.run(args.toArray(String[]::new));
    assertThat(restore.exitCode()).as(restore.toString()).isZero();
  }

  /** Starts every member and waits until each answers a health check (for 3 members that needs quorum). */
  public static RestoredCluster start(EtcdVersion version, List<Node> nodes, Path logs) {
    RestoredCluster cluster = new RestoredCluster(version, nodes, logs);
    try {
      cluster.startAll();
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** A clean stop of every member, then a start on the same data: what must survive, survives. */
  void restart() {
    processes.forEach(p -> p.stop(Duration.ofSeconds(15)));
    processes.clear();
    startAll();
  }

  /** jetcd as the fixture's backup user, whom the restored auth store still knows. */
  Client client() {
    return client(nodes.stream().map(Node::clientUrl).toArray(URI[]::new));
  }

  /** As {@link #client()}, against one member only: what that member itself serves. */
  public Client client(Node node) {
    return client(node.clientUrl());
  }

  private static Client client(URI... endpoints) {
    return Client.builder().endpoints(endpoints)
        .user(ByteSequence.from(EtcdCluster.USER, StandardCharsets.UTF_8))
        .password(ByteSequence.from(EtcdCluster.PASSWORD, StandardCharsets.UTF_8)).build();
  }

  /** etcdctl of this release against one member, logged in as the backup user. */
  public Etcdctl etcdctl(Node node) {
    return Etcdctl.plain(version, node.clientUrl(), EtcdCluster.USER + ":" + EtcdCluster.PASSWORD);
  }

  private void startAll() {
    for (Node node : nodes) {
      processes.add(RunningProcess.start(List.of(version.binary("etcd").toString(),
          "--name", node.name(), "--data-dir", node.dataDir().toString(),
          "--listen-client-urls", node.clientUrl().toString(), "--advertise-client-urls", node.clientUrl().toString(),
          "--listen-peer-urls", node.peerUrl(), "--initial-advertise-peer-urls", node.peerUrl(),
          "--initial-cluster", initialCluster(nodes)),
          logs.resolve(node.name() + "-" + Instant.now().toEpochMilli())));
    }
    Instant deadline = Instant.now().plus(STARTUP);
    for (int i = 0; i < nodes.size(); i++) {
      RunningProcess process = processes.get(i);
      etcdctl(nodes.get(i)).awaitHealthy(Duration.between(Instant.now(), deadline), process::isAlive,
          process::stderr);
    }
  }

  @Override
  public void close() {
    processes.forEach(RunningProcess::close);
  }
}
