package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Etcdctl;
import io.etcdsnapshotter.testing.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * One master on loopback running etcd 3.6 main and events from the manifests of kubernetes.etcd.configured, with a
 * {@link Kubelet} that runs them, as the restore runbook finds a master: both answer before this returns.
 */
final class OneMaster implements AutoCloseable {
  /** How long a member the kubelet (re)started may take to answer: a restored one also waits for its restore. */
  static final Duration STARTUP = Duration.ofSeconds(60);
  final SaltCall salt;
  /** The etcd pillar of this master, which every apply on it needs. */
  final String etcdPillar;
  final String mainUrl;
  final String eventsUrl;
  final Etcdctl main;
  final Etcdctl events;
  private final Kubelet kubelet;

  private OneMaster(SaltCall salt, String etcdPillar, String mainUrl, String eventsUrl, Kubelet kubelet) {
    this.salt = salt;
    this.etcdPillar = etcdPillar;
    this.mainUrl = mainUrl;
    this.eventsUrl = eventsUrl;
    this.main = Etcdctl.plain(EtcdVersion.V3_6, URI.create(mainUrl));
    this.events = Etcdctl.plain(EtcdVersion.V3_6, URI.create(eventsUrl));
    this.kubelet = kubelet;
  }

  /** Salt's root and the kubelet's work under {@code root}. */
  static OneMaster start(Path root) throws Exception {
    SaltCall.saltCallPath();
    EtcdVersion.V3_6.assumeInstalled(); // what etcd:image defaults to
    int mainClient = FreePorts.one();
    int eventsClient = FreePorts.one();
    String pillar = StaticPod.singleMasterPillar(mainClient, eventsClient);
    SaltCall salt = new SaltCall(root, "master-1");
    StateRun configured = salt.apply("kubernetes.etcd.configured", pillar);
    assertThat(configured.succeeded()).as("%s", configured).isTrue();
    OneMaster master = new OneMaster(salt, pillar, "http://127.0.0.1:" + mainClient,
        "http://127.0.0.1:" + eventsClient, new Kubelet(salt.path("etc/kubernetes/manifests"), EtcdVersion.V3_6, root));
    master.awaitHealthy();
    return master;
  }

  void awaitHealthy() {
    main.awaitHealthy(STARTUP);
    events.awaitHealthy(STARTUP);
  }

  /**
   * After a restore of snapshots taken when main held /registry/pods/default/kept and events
   * /registry/events/default/kept, and before main was given /registry/pods/default/lost: both serve their
   * snapshot, revisions bumped by the restore's default.
   */
  void assertServesTheSnapshot() {
    awaitHealthy();
    assertThat(main.ok("get", "--print-value-only", "/registry/pods/default/kept")).isEqualTo("from the snapshot\n");
    assertThat(main.ok("get", "/registry/pods/default/lost")).isEmpty();
    assertThat(main.revision()).as("revision after the default bump").isGreaterThan(1_000_000);
    assertThat(events.ok("get", "--print-value-only", "/registry/events/default/kept")).isEqualTo("event\n");
  }

  /** What var/etcd holds: the data dirs, and those moved aside. */
  List<String> etcdDirs() throws IOException {
    try (Stream<Path> dirs = Files.list(salt.path("var/etcd"))) {
      return dirs.map(dir -> dir.getFileName().toString()).toList();
    }
  }

  @Override
  public void close() throws Exception {
    kubelet.close();
  }
}
