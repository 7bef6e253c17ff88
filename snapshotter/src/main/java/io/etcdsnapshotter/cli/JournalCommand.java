package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.UsageException;
import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.config.ConfigException;
import io.etcdsnapshotter.config.DurationParser;
import io.etcdsnapshotter.config.SnapshotConfig;
import io.etcdsnapshotter.config.SnapshotConfigLoader;
import io.etcdsnapshotter.config.SnapshotSettings;
import io.etcdsnapshotter.files.PrivateFiles;
import io.etcdsnapshotter.follow.ClusterJournal;
import io.etcdsnapshotter.follow.JournalSettings;
import io.etcdsnapshotter.volume.ChainRetention;
import io.etcdsnapshotter.volume.SnapshotIndex;
import io.etcdsnapshotter.volume.SnapshotVolume;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

@Command(
    name = "journal",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Continuous backup: follows every configured etcd cluster with a watch from the revision of its newest full"
          + " snapshot in --dir (snapshots.json) and appends each revision's events (key, value, create and mod"
          + " revision, version, lease, put or delete) in order to segment files under DIR/journal/CLUSTER/ (0600"
          + " files in 0700 dirs), each record checksummed, and at each fsync the leases granted (with their TTL) and"
          + " gone since the last, so a restore attaches keys to their leases again. Everything received is made"
          + " durable at least every"
          + " --fsync-interval, so a crash loses at most that much. restore --journal DIR/journal/CLUSTER"
          + " --to-revision N then rebuilds the data dir of any revision the journal covers.",
      "Started again (after a crash too), it cuts off a torn last record and continues the chain from the revision"
          + " after its last one. A chain that ends before the newest snapshot is left as it is and a new chain"
          + " starts from that snapshot.",
      "A gap is never papered over: if etcd has compacted a revision the journal still needs, or the watch cannot be"
          + " resumed for --retry-for, the command says so in one line and exits 1; take a full snapshot and start it"
          + " again, which begins a new chain.",
      "Runs until SIGTERM or Ctrl-C: it then waits up to 5 s for every revision etcd had at that moment, makes"
          + " everything received durable and exits 0.",
      "Exit codes: 0 stopped by a signal, 1 a cluster could not be followed (the others are stopped too), 2 usage or"
          + " config error."
    })
final class JournalCommand implements Callable<Integer> {
  private static final Duration MAX_INTERVAL = Duration.ofMinutes(10);
  /** Well inside the 30 s Kubernetes gives a pod between SIGTERM and SIGKILL. */
  private static final Duration CATCH_UP = Duration.ofSeconds(5);

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin EtcdClientOptions etcd;

  @Option(names = "--dir", paramLabel = "DIR", description = "Snapshot directory whose snapshots.json names each"
      + " cluster's newest snapshot; the journal goes to DIR/journal/CLUSTER/ (default: /var/etcd-snapshot).")
  Path dir;

  @Option(names = "--fsync-interval", paramLabel = "DURATION", defaultValue = "1s",
      description = "Make what was received durable at least this often: the most a crash loses"
          + " (default: ${DEFAULT-VALUE}).")
  String fsyncInterval;

  @Option(names = "--segment-size-mib", paramLabel = "MIB", defaultValue = "64",
      description = "Begin a new segment file once one holds this many MiB (default: ${DEFAULT-VALUE}).")
  int segmentMib;

  @Option(names = "--retry-for", paramLabel = "DURATION", defaultValue = "60s",
      description = "How long a broken watch is resumed, on any healthy endpoint, before the command gives up"
          + " (default: ${DEFAULT-VALUE}).")
  String retryFor;

  @Override
  public Integer call() throws Exception {
    Duration interval = DurationParser.parse(fsyncInterval, "--fsync-interval", MAX_INTERVAL);
    Duration retry = DurationParser.parse(retryFor, "--retry-for", Duration.ofDays(1));
    if (segmentMib < 1 || segmentMib > 1024) {
      throw new ConfigException("--segment-size-mib must be from 1 to 1024, not " + segmentMib);
    }
    SnapshotConfig config = SnapshotConfigLoader.load(new SnapshotSettings(etcd.config, dir, null, etcd.dialTimeout,
        null, etcd.clusters, etcd.tls(), etcd.user, etcd.passwordFile, null, null, null, null, null, null, null));
    SnapshotIndex index = SnapshotIndex.load(config.dir());
    List<JournalSettings> settings = new ArrayList<>();
    for (ClusterConfig cluster : config.clusters()) {
      settings.add(settings(config, index, cluster, interval, retry));
    }
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), signal -> stop.countDown());
    Signal.handle(new Signal("INT"), signal -> stop.countDown());
    List<ClusterJournal> journals = new ArrayList<>();
    try {
      for (int i = 0; i < settings.size(); i++) {
        journals.add(ClusterJournal.start(config.clusters().get(i), settings.get(i)));
      }
      CompletableFuture<Object> failed = CompletableFuture.anyOf(
          journals.stream().map(ClusterJournal::failure).toArray(CompletableFuture[]::new));
      failed.whenComplete((ok, e) -> stop.countDown());
      stop.await();
      if (failed.isDone()) {
        failed.get();
      }
      journals.forEach(journal -> journal.catchUp(CATCH_UP));
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    } finally {
      closeAll(journals);
    }
    for (int i = 0; i < journals.size(); i++) {
      spec.commandLine().getOut().println("cluster " + config.clusters().get(i).name() + ": stopped, journal durable"
          + " up to revision " + journals.get(i).lastRevision());
    }
    return 0;
  }

  /** Each journal made durable, even when another fails to close; the first failure is thrown after. */
  private static void closeAll(List<ClusterJournal> journals) throws IOException {
    IOException first = null;
    for (ClusterJournal journal : journals) {
      try {
        journal.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private JournalSettings settings(SnapshotConfig config, SnapshotIndex index, ClusterConfig cluster,
      Duration interval, Duration retry) throws IOException {
    SnapshotIndex.Entry newest = index.clusters().get(cluster.name());
    if (newest == null || newest.revision == null || newest.clusterId == null) {
      throw new UsageException("cluster " + cluster.name() + " has no snapshot recorded in " + config.dir()
          + "/snapshots.json for the journal to continue; take one first (snapshot --dir " + config.dir() + ")");
    }
    Path journalDir = config.dir().resolve(SnapshotVolume.JOURNAL).resolve(cluster.name());
    ChainRetention.prune(config.dir().resolve(cluster.fileName()));
    PrivateFiles.ensureDirectory(journalDir.getParent());
    return new JournalSettings(journalDir, newest.revision, newest.clusterId, interval, (long) segmentMib << 20,
        config.dialTimeout(), retry);
  }
}
