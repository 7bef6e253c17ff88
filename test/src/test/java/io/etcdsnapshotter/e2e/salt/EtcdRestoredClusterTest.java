package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Etcdctl;
import io.etcdsnapshotter.e2e.jar.Jar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The restore runbook on three masters: etcd main and events run from the manifests of kubernetes.etcd.configured
 * (a {@link Kubelet} per master), the jar snapshots them, kubernetes.etcd.restored is applied on each master in turn,
 * and both clusters come back with quorum and exactly the snapshot's data, on the three {@link Master}s on loopback.
 */
@ResourceLock(ThreeMasters.LOCK)
class EtcdRestoredClusterTest {
  private static final int MASTERS = 3;
  /** How long a member the kubelet (re)started may take to answer: a restored one also waits for its peers. */
  private static final Duration STARTUP = Duration.ofSeconds(60);

  @TempDir Path root;

  /** etcd 3.6 is what etcd:image defaults to and Kubernetes 1.34+ runs; 3.5 is what most clusters upgrade from. */
  @ParameterizedTest
  @EnumSource(value = EtcdVersion.class, names = {"V3_5", "V3_6"})
  void threeMastersRestoreBothClustersFromTheJarsSnapshotAndASecondApplyChangesNothing(EtcdVersion version)
      throws Exception {
    version.assumeInstalled();
    assumeTrue(jarHasOption("restore", "--initial-cluster") && jarHasOption("snapshot", "--cluster"),
        "the jar has no restore command or snapshot --cluster yet (issues 2, 3): the restore end to end waits for them");
    Master[] masters = Master.onLoopback(root, version.release(), MASTERS);
    List<Kubelet> kubelets = new ArrayList<>();
    try {
      for (Master master : masters) {
        StateRun configured = master.salt().apply("kubernetes.etcd.configured", master.pillar());
        assertThat(configured.succeeded()).as("%s", configured).isTrue();
        kubelets.add(new Kubelet(master.salt().path("etc/kubernetes/manifests"), version, master.salt().root()));
      }
      for (Master master : masters) {
        master.etcdctl(version, "main").awaitHealthy(STARTUP);
        master.etcdctl(version, "events").awaitHealthy(STARTUP);
      }
      masters[0].etcdctl(version, "main").ok("put", "/registry/pods/default/kept", "from the snapshot");
      masters[0].etcdctl(version, "events").ok("put", "/registry/events/default/kept", "event");
      Path volume = Files.createDirectories(root.resolve("volume"));
      java("snapshot", "--dir", volume.toString(),
          "--cluster", "main=" + masters[0].mainUrl(), "--cluster", "events=" + masters[0].eventsUrl());
      masters[0].etcdctl(version, "main").ok("put", "/registry/pods/default/lost", "after the snapshot");

      for (Master master : masters) {
        Path mnt = Files.createDirectories(master.salt().path("mnt/etcd"));
        Files.copy(volume.resolve("snapshot.db"), mnt.resolve("snapshot.db"));
        Files.copy(volume.resolve("snapshot-events.db"), mnt.resolve("snapshot-events.db"));
        StateRun restored = master.salt().apply("kubernetes.etcd.restored", master.pillar());
        assertThat(restored.succeeded()).as("%s", restored).isTrue();
      }

      for (Master master : masters) {
        master.etcdctl(version, "main").awaitHealthy(STARTUP);
        master.etcdctl(version, "events").awaitHealthy(STARTUP);
        assertThat(master.etcdctl(version, "main").ok("get", "--print-value-only", "/registry/pods/default/kept"))
            .isEqualTo("from the snapshot\n");
        assertThat(master.etcdctl(version, "main").ok("get", "/registry/pods/default/lost")).isEmpty();
        assertThat(master.etcdctl(version, "main").revision()).as("revision after the default bump").isGreaterThan(1_000_000);
        assertThat(master.etcdctl(version, "events").ok("get", "--print-value-only", "/registry/events/default/kept"))
            .isEqualTo("event\n");
        assertThat(master.etcdctl(version, "main").ok("member", "list").lines()).hasSize(MASTERS);
        assertThat(setAside(master)).as("old data dirs of %s", master.name())
            .anyMatch(dir -> dir.startsWith("data.before-restore-"))
            .anyMatch(dir -> dir.startsWith("data-events.before-restore-"));
      }
      masters[1].etcdctl(version, "main").ok("put", "/registry/pods/default/new", "written after the restore");

      for (Master master : masters) {
        StateRun again = master.salt().apply("kubernetes.etcd.restored", master.pillar());
        assertThat(again.succeeded()).as("%s", again).isTrue();
        assertThat(again.changed()).as("%s", again).isEmpty();
      }
      assertThat(masters[2].etcdctl(version, "main").ok("get", "--print-value-only", "/registry/pods/default/new"))
          .isEqualTo("written after the restore\n");
    } finally {
      for (Kubelet kubelet : kubelets) {
        kubelet.close();
      }
    }
  }

  private static List<String> setAside(Master master) throws IOException {
    try (Stream<Path> dirs = Files.list(master.salt().path("var/etcd"))) {
      return dirs.map(dir -> dir.getFileName().toString()).toList();
    }
  }

  /** Whether the jar's usage of {@code command} names {@code option}. */
  private static boolean jarHasOption(String command, String option) throws IOException, InterruptedException {
    Result help = run(List.of(Jar.javaBinary(), "-jar", System.getProperty("snapshotter.jar"), command, "--help"));
    return help.output.contains("Usage: etcd-snapshotter " + command) && help.output.contains(option);
  }

  private static void java(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Jar.javaBinary(), "-jar", System.getProperty("snapshotter.jar")));
    command.addAll(List.of(args));
    Result result = run(command);
    assertThat(result.exitCode).as("etcd-snapshotter %s: %s", String.join(" ", args), result.output).isZero();
  }

  private record Result(int exitCode, String output) {}

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
    }
    return new Result(process.waitFor(), output);
  }

}
