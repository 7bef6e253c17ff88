package io.etcdsnapshotter.e2e.salt;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.etcdsnapshotter.e2e.Repository;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Etcdctl;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.Processes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The recovery time of the restore runbook, as an operator lives it. Run by scripts/drill, never by a test run: no
 * name surefire picks up by default. From the {@link DrillSnapshots}, three {@link Master}s run etcd main and events
 * from the manifests of kubernetes.etcd.configured with empty data dirs, as rebuilt masters do; then
 * kubernetes.etcd.restored is applied on all of them at once, as {@code salt '*' state.apply} does, while a
 * {@link Kubelet} per master starts what the state puts back. It times each apply (each state as Salt timed it), then
 * per cluster until every member listens, every member is healthy and a write is accepted, and fails when a member
 * holds other data than its snapshot. Figures only: no time is asserted.
 */
class RecoveryDrill {
  private static final EtcdVersion VERSION = EtcdVersion.V3_6;
  private static final int MASTERS = 3;
  private static final List<String> CLUSTERS = List.of("main", "events");
  private static final Duration APPLY_TIMEOUT = Duration.ofHours(1);
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(10);
  private static final String WRITTEN_KEY = "/registry/etcd-snapshotter-drill/written-after-restore";

  @Test
  void restoreMainAndEventsOnThreeMastersAtOnce() throws Exception {
    Path work = Path.of(setting("DRILL_WORK"));
    List<DrillSnapshots.Taken> snapshots = DrillSnapshots.take(VERSION, Long.parseLong(setting("DRILL_BYTES")),
        Long.parseLong(setting("DRILL_EVENTS_BYTES")), Files.createDirectories(work.resolve("snapshots")));
    Master[] masters = Master.onLoopback(work.resolve("masters"), VERSION.release(), MASTERS);
    List<Kubelet> kubelets = new ArrayList<>();
    try {
      runEmptyEtcd(masters, kubelets);
      place(snapshots, masters);
      DrillReport report = new DrillReport();
      report.line("%nrecovery drill: %s on %d masters%n%s", describe(snapshots), MASTERS, machineLine());
      Instant start = Instant.now();
      List<DrillReport.Apply> applies = inParallel(Arrays.stream(masters).map(RecoveryDrill::restored).toList());
      Instant applied = Instant.now();
      applies.forEach(apply -> succeeded(apply.master(), "kubernetes.etcd.restored", apply.run()));
      report.applies(applies);
      report.recovery(start, applied, recoverEach(masters));
      report.line("%s", check(snapshots, masters));
      Files.writeString(work.resolve("drill.txt"), report.toString());
    } finally {
      for (Kubelet kubelet : kubelets) {
        kubelet.close();
      }
    }
  }

  /** As on rebuilt masters: kubernetes.etcd.configured, a kubelet each, etcd main and events up on empty data. */
  private static void runEmptyEtcd(Master[] masters, List<Kubelet> kubelets) throws Exception {
    for (Master master : masters) {
      succeeded(master, "kubernetes.etcd.configured", master.salt().apply("kubernetes.etcd.configured",
          master.pillar()));
      kubelets.add(new Kubelet(master.salt().path("etc/kubernetes/manifests"), VERSION,
          master.salt().root()));
    }
    for (String cluster : CLUSTERS) {
      everyMember(masters, cluster).awaitHealthy(STEP_TIMEOUT);
    }
  }

  private static String setting(String variable) {
    String value = System.getenv(variable);
    assumeTrue(value != null && !value.isBlank(), variable + " is unset: scripts/drill runs the recovery drill");
    return value;
  }

  /**
   * Hard links, so every master reads the one file as each real master reads its own volume, without three copies of
   * a large file on one disk. Bringing an EBS snapshot back is not part of the figures.
   */
  private static void place(List<DrillSnapshots.Taken> snapshots, Master[] masters) throws IOException {
    for (Master master : masters) {
      Path mnt = Files.createDirectories(master.salt().path("mnt/etcd"));
      for (DrillSnapshots.Taken snapshot : snapshots) {
        Files.createLink(mnt.resolve(snapshot.file().getFileName()), snapshot.file());
      }
    }
  }

  private static Callable<DrillReport.Apply> restored(Master master) {
    return () -> {
      Instant start = Instant.now();
      StateRun run = master.salt().withTimeout(APPLY_TIMEOUT).apply("kubernetes.etcd.restored", master.pillar());
      return new DrillReport.Apply(master, run, Duration.between(start, Instant.now()));
    };
  }

  /** Both clusters at once, each timed by {@link #recover}, in the order of {@link #CLUSTERS}. */
  private static Map<String, DrillReport.Milestones> recoverEach(Master[] masters) throws Exception {
    List<DrillReport.Milestones> recovered = inParallel(CLUSTERS.stream()
        .map(cluster -> (Callable<DrillReport.Milestones>) () -> recover(cluster, masters)).toList());
    Map<String, DrillReport.Milestones> byCluster = new LinkedHashMap<>();
    for (int i = 0; i < CLUSTERS.size(); i++) {
      byCluster.put(CLUSTERS.get(i), recovered.get(i));
    }
    return byCluster;
  }

  /** From the end of the applies: every member of {@code cluster} listening, healthy, and a write accepted. */
  private static DrillReport.Milestones recover(String cluster, Master[] masters) {
    List<URI> urls = Arrays.stream(masters).map(master -> master.clientUrl(cluster)).toList();
    Polling.await(cluster + ": every member listening at " + urls, STEP_TIMEOUT,
        () -> urls.stream().allMatch(RecoveryDrill::listening),
        () -> "not listening: " + urls.stream().filter(url -> !listening(url)).toList());
    Instant listening = Instant.now();
    everyMember(masters, cluster).awaitHealthy(STEP_TIMEOUT);
    Instant healthy = Instant.now();
    Etcdctl.plain(VERSION, urls.get(0)).run("put", WRITTEN_KEY, "written by the recovery drill").orThrow();
    return new DrillReport.Milestones(listening, healthy, Instant.now());
  }

  /** etcdctl with every master's member of {@code cluster} as endpoints: healthy means each one answers. */
  private static Etcdctl everyMember(Master[] masters, String cluster) {
    return Etcdctl.plain(VERSION, Arrays.stream(masters).map(master -> master.clientUrl(cluster)).toArray(URI[]::new));
  }

  private static boolean listening(URI url) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 200);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  /**
   * Every member holds its snapshot's keys plus the drill's write, at the snapshot's revision plus the bump the
   * state restores with by default and that write.
   */
  private static String check(List<DrillSnapshots.Taken> snapshots, Master[] masters) throws IOException {
    long bump = new ObjectMapper(new YAMLFactory())
        .readTree(Repository.root().resolve("salt/kubernetes/defaults.yaml").toFile())
        .path("etcd_restore").path("bump_revision").asLong();
    List<String> wrong = new ArrayList<>();
    List<String> held = new ArrayList<>();
    for (DrillSnapshots.Taken snapshot : snapshots) {
      long keys = snapshot.keys() + 1;
      long revision = snapshot.revision() + bump + 1;
      for (Master master : masters) {
        Etcdctl member = Etcdctl.plain(VERSION, master.clientUrl(snapshot.cluster()));
        long memberKeys = member.keyCount();
        long memberRevision = member.revision();
        if (memberKeys != keys || memberRevision != revision) {
          wrong.add(master.name() + "'s " + snapshot.cluster() + " holds " + memberKeys + " keys at revision "
              + memberRevision + ", not " + keys + " at " + revision);
        }
      }
      held.add(snapshot.cluster() + " " + keys + " keys at revision " + revision);
    }
    if (!wrong.isEmpty()) {
      throw new AssertionError("the restored clusters do not hold their snapshots' data: " + wrong);
    }
    return "checked: every member holds its snapshot's keys and revision (bumped by " + bump
        + ") plus the drill's write: " + String.join(", ", held);
  }

  private static void succeeded(Master master, String sls, StateRun run) {
    if (!run.succeeded()) {
      throw new AssertionError(master.name() + ": " + sls + " failed: " + run);
    }
  }

  private static String describe(List<DrillSnapshots.Taken> snapshots) {
    String version = Processes.run(List.of(VERSION.binary("etcd").toString(), "--version"), Duration.ofSeconds(30))
        .orThrow().stdout().lines().findFirst().orElse("etcd").replace("etcd Version: ", "etcd ");
    List<String> files = snapshots.stream().map(s -> "%s %d MiB (%d keys at revision %d)"
        .formatted(s.cluster(), s.mebibytes(), s.keys(), s.revision())).toList();
    return version + ", " + String.join(", ", files);
  }

  /** The line scripts/bench prints too, taken as the recovery starts. */
  private static String machineLine() {
    return Processes.run(List.of(Repository.root().resolve("scripts/machine").toString()), Duration.ofSeconds(30))
        .orThrow().stdout().strip();
  }

  /** Runs every task on a thread of its own and returns their results in order; the first failure is rethrown. */
  private static <T> List<T> inParallel(List<Callable<T>> tasks) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(tasks.size());
    try {
      List<Future<T>> futures = tasks.stream().map(threads::submit).toList();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get());
      }
      return results;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e.getCause() instanceof Exception cause ? cause : e;
    } finally {
      threads.shutdownNow();
    }
  }
}
