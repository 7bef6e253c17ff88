package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.config.ConfigException;
import io.etcdsnapshotter.config.DurationParser;
import io.etcdsnapshotter.config.SnapshotConfig;
import io.etcdsnapshotter.config.SnapshotConfigLoader;
import io.etcdsnapshotter.config.SnapshotSettings;
import io.etcdsnapshotter.continuous.ContinuousBackup;
import io.etcdsnapshotter.continuous.JournalOptions;
import io.etcdsnapshotter.follow.ClusterJournal;
import java.nio.file.Path;
import java.time.Duration;
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
          + " --fsync-interval, so a crash loses at most that much. restore DIR/snapshot.db --to-revision N"
          + " (DIR/snapshot-CLUSTER.db for another cluster) then rebuilds the data dir of any revision the journal"
          + " covers, from the snapshot that chain continues.",
      "Started again (after a crash too), it cuts off a torn last record and continues the chain from the revision"
          + " after its last one. A chain that ends before the newest snapshot is left as it is and a new chain"
          + " starts from that snapshot.",
      "Each new full snapshot of a cluster (snapshots.json, looked at every second), whether the snapshot command"
          + " or this one took it, begins a new chain at its revision: the old chain goes on until it holds that"
          + " revision, and the new one gets every revision after it, so a restore from either snapshot reaches the"
          + " same revisions. With --snapshot-interval this command takes those snapshots itself, through the same"
          + " run as the snapshot command with the same config (keep, checks, encryption, S3, publication and"
          + " metrics), so one process owns the volume. At start and at each new chain, every chain whose snapshot"
          + " is no longer on the volume is deleted whole.",
      "A gap is never papered over: if etcd has compacted a revision the journal still needs, it takes a full"
          + " snapshot of that cluster at once and begins a new chain from it, saying in one warning where the old"
          + " chain ends and the new one starts (no restore lies between); only if that snapshot fails, or the"
          + " watch cannot be resumed for --retry-for, it says so in one line and exits 1.",
      "With metrics in the config (metrics.pushgateway, metrics.textfile) it reports every 15 s, per etcd cluster:"
          + " etcd_snapshotter_journal_revision (the newest revision made durable) and"
          + " etcd_snapshotter_journal_sync_timestamp_seconds (when it last made everything received durable), as"
          + " job etcd-snapshotter-journal to the Pushgateway or in NAME-journal.prom beside the textfile; each"
          + " snapshot it takes reports as the snapshot command does; with a textfile, a snapshot needed for one"
          + " cluster is taken of every cluster, that one first, since the file is rewritten whole.",
      "With encryption.kmsKeyId in the config its segments are sealed as the snapshot files are: every record"
          + " AES-256-GCM under a data key from KMS per chain, named in each segment's header. It then needs"
          + " kms:GenerateDataKey and, to continue a chain after a restart, kms:Decrypt on that key; restore, status"
          + " and verify read sealed segments with kms:Decrypt.",
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
      description = "Make what was received durable at least this often: the most a crash loses, with a"
          + " twentieth more (at most 50 ms), as the watch is read in batches that far apart, which halves its CPU"
          + " (default: ${DEFAULT-VALUE}).")
  String fsyncInterval;

  @Option(names = "--segment-size-mib", paramLabel = "MIB", defaultValue = "64",
      description = "Begin a new segment file once one holds this many MiB (default: ${DEFAULT-VALUE}).")
  int segmentMib;

  @Option(names = "--retry-for", paramLabel = "DURATION", defaultValue = "60s",
      description = "How long a broken watch is resumed, on any healthy endpoint, before the command gives up"
          + " (default: ${DEFAULT-VALUE}).")
  String retryFor;

  @Option(names = "--snapshot-interval", paramLabel = "DURATION", defaultValue = "0",
      description = "Also take a full snapshot of every cluster this often, each beginning a new chain, the first"
          + " one DURATION after start, or at once for a cluster without one; 0 leaves full snapshots to the"
          + " snapshot command (default: ${DEFAULT-VALUE}).")
  String snapshotInterval;

  @Option(names = "--allow-cluster-change",
      description = "A cluster whose newest snapshot is of another etcd cluster (other cluster ID), as after a"
          + " restore with a new token, gets a full snapshot first (with --snapshot-interval), which a chain of its"
          + " own then continues; the old cluster's chains stay for restores before the change (config:"
          + " allowClusterChange; default: off, and the journal refuses such a cluster).")
  Boolean allowClusterChange;

  @Override
  public Integer call() throws Exception {
    Duration interval = DurationParser.parse(fsyncInterval, "--fsync-interval", MAX_INTERVAL);
    Duration retry = DurationParser.parse(retryFor, "--retry-for", Duration.ofDays(1));
    Duration snapshots = "0".equals(snapshotInterval) ? null
        : DurationParser.parse(snapshotInterval, "--snapshot-interval", Duration.ofDays(30));
    if (segmentMib < 1 || segmentMib > 1024) {
      throw new ConfigException("--segment-size-mib must be from 1 to 1024, not " + segmentMib);
    }
    SnapshotConfig config = SnapshotConfigLoader.load(new SnapshotSettings(etcd.config, dir, null, etcd.dialTimeout,
        null, etcd.clusters, etcd.tls(), etcd.user, etcd.passwordFile, null, allowClusterChange, null, null, null,
        null, null));
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), signal -> stop.countDown());
    Signal.handle(new Signal("INT"), signal -> stop.countDown());
    List<ClusterJournal> journals;
    try (ContinuousBackup backup = ContinuousBackup.start(config,
        new JournalOptions(interval, (long) segmentMib << 20, retry, snapshots))) {
      journals = backup.journals();
      CompletableFuture<Object> failed = backup.failure();
      failed.whenComplete((ok, e) -> stop.countDown());
      stop.await();
      if (failed.isDone()) {
        failed.get();
      }
      backup.catchUp(CATCH_UP);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
    for (ClusterJournal journal : journals) {
      spec.commandLine().getOut().println("cluster " + journal.cluster().name() + ": stopped, journal durable"
          + " up to revision " + journal.lastRevision());
    }
    return 0;
  }
}
