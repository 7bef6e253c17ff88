package io.etcdsnapshotter.continuous;

import io.etcdsnapshotter.Background;
import io.etcdsnapshotter.OneLine;
import io.etcdsnapshotter.UsageException;
import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.config.MetricsConfig;
import io.etcdsnapshotter.config.SnapshotConfig;
import io.etcdsnapshotter.etcd.EtcdMember;
import io.etcdsnapshotter.etcd.MemberSelector;
import io.etcdsnapshotter.files.PrivateFiles;
import io.etcdsnapshotter.follow.ClusterJournal;
import io.etcdsnapshotter.follow.JournalSettings;
import io.etcdsnapshotter.journal.SegmentKeys;
import io.etcdsnapshotter.metrics.JournalFigures;
import io.etcdsnapshotter.metrics.MetricsExport;
import io.etcdsnapshotter.volume.ChainRetention;
import io.etcdsnapshotter.volume.SnapshotIndex;
import io.etcdsnapshotter.volume.SnapshotVolume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal command's run: a journal per cluster; each new full snapshot of a cluster on the volume (taken by the
 * snapshot command or by this run) starting a new chain of its journal; a full snapshot taken at once when etcd has
 * compacted a revision a journal still needed (unless the snapshot its chain was going on to holds every revision
 * compacted: the journal then starts the new chain from that one), and every snapshot interval if one is set; chain
 * retention at start and at each new chain; and the journals' metrics.
 */
public final class ContinuousBackup implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ContinuousBackup.class);
  /** How often snapshots.json is looked at for a new full snapshot: its mtime only, unless it changed. */
  private static final Duration INDEX_POLL = Duration.ofSeconds(1);
  private static final Duration METRICS_EVERY = Duration.ofSeconds(15);

  private final SnapshotConfig config;
  private final JournalOptions options;
  private final InProcessSnapshots snapshots;
  /** Sealed segments when the config encrypts the snapshots. */
  private final SegmentKeys keys;
  private final List<ClusterJournal> journals = new ArrayList<>();
  /** Index polls and metrics. */
  private final ScheduledExecutorService timer = Background.timer("continuous backup");
  /** In-process snapshots, one at a time, off the threads that follow etcd. */
  private final ScheduledExecutorService snapshotter = Background.timer("full snapshots");
  private FileTime indexSeen;
  private final ClusterJournal.Chains chains = new ClusterJournal.Chains() {
    @Override
    public void gap(ClusterJournal journal, long needed, long compactedTo) {
      ContinuousBackup.this.gap(journal, needed, compactedTo);
    }

    @Override
    public void started(ClusterJournal journal) {
      pruneLater(journal.cluster());
    }
  };

  private ContinuousBackup(SnapshotConfig config, JournalOptions options) {
    this.config = config;
    this.options = options;
    this.snapshots = new InProcessSnapshots(config);
    this.keys = JournalKeys.of(config.encryption());
  }

  /**
   * Takes a first snapshot of each cluster that has none when a snapshot interval is set (else that is a usage
   * error naming the fix), then starts following every cluster. With allowClusterChange, a cluster whose newest
   * snapshot is of another etcd cluster (a restore gave it a new ID) counts as having none; with restoredBy and an
   * interval too, but its snapshot then refuses the new cluster unless it is a restore from this volume.
   */
  public static ContinuousBackup start(SnapshotConfig config, JournalOptions options) throws IOException {
    ContinuousBackup backup = new ContinuousBackup(config, options);
    try {
      backup.snapshotThoseWithout();
      backup.follow();
    } catch (IOException | RuntimeException e) {
      backup.close();
      throw e;
    }
    return backup;
  }

  private void snapshotThoseWithout() throws IOException {
    SnapshotIndex index = SnapshotIndex.load(config.dir());
    List<ClusterConfig> without = new ArrayList<>();
    for (ClusterConfig cluster : config.clusters()) {
      SnapshotIndex.Entry entry = newest(index, cluster);
      if (entry == null || mayTakeNewCluster(cluster) && replaced(cluster, entry)) {
        without.add(cluster);
      }
    }
    if (without.isEmpty()) {
      return;
    }
    if (options.snapshotInterval() == null) {
      ClusterConfig first = without.get(0);
      throw new UsageException("cluster " + first.name() + " has no snapshot " + (newest(index, first) == null ? ""
          : "of its new etcd cluster ") + "recorded in " + config.dir() + "/snapshots.json for the journal to"
          + " continue; take one first (snapshot --dir " + config.dir() + "), or give journal --snapshot-interval to"
          + " take one itself");
    }
    List<String> failures = snapshots.take(without);
    for (int i = 0; i < without.size(); i++) {
      if (failures.get(i) != null) {
        throw new IOException("cluster " + without.get(i).name() + ": its first full snapshot, which the journal"
            + " continues, failed: " + failures.get(i));
      }
    }
  }

  /**
   * Whether a snapshot of another etcd cluster behind the cluster's endpoints is to be taken at start: when the change
   * is allowed, or tried when the snapshot it takes may recognise a deliberate restore (restoredBy) and refuses
   * anything else.
   */
  private boolean mayTakeNewCluster(ClusterConfig cluster) {
    return config.allowClusterChange() || options.snapshotInterval() != null && cluster.restoredBy() != null;
  }

  /** Whether the cluster's endpoints now serve another etcd cluster than the one its newest snapshot is of. */
  private boolean replaced(ClusterConfig cluster, SnapshotIndex.Entry entry) throws IOException {
    try (EtcdMember member = MemberSelector.firstHealthy(cluster, config.dialTimeout())) {
      if (member.clusterIdHex().equals(entry.clusterId)) {
        return false;
      }
      LOG.info("cluster {}: etcd cluster {} now, its newest snapshot is of {}; taking a full snapshot of the new one"
          + " to continue", cluster.name(), member.clusterIdHex(), entry.clusterId);
      return true;
    }
  }

  private static SnapshotIndex.Entry newest(SnapshotIndex index, ClusterConfig cluster) {
    SnapshotIndex.Entry entry = index.clusters().get(cluster.name());
    return entry == null || entry.revision == null || entry.clusterId == null ? null : entry;
  }

  private void follow() throws IOException {
    indexSeen = indexTime();
    SnapshotIndex index = SnapshotIndex.load(config.dir());
    for (ClusterConfig cluster : config.clusters()) {
      SnapshotIndex.Entry entry = newest(index, cluster);
      Path dir = config.dir().resolve(SnapshotVolume.JOURNAL).resolve(cluster.name());
      ChainRetention.prune(volumeFile(cluster), keys.reader());
      PrivateFiles.ensureDirectory(dir.getParent());
      journals.add(ClusterJournal.start(cluster, new JournalSettings(dir, entry.revision, entry.clusterId,
          options.fsyncInterval(), options.segmentBytes(), config.dialTimeout(), options.retryFor(), keys), chains));
    }
    timer.scheduleWithFixedDelay(this::pollIndex, INDEX_POLL.toMillis(), INDEX_POLL.toMillis(),
        TimeUnit.MILLISECONDS);
    if (!config.metrics().equals(MetricsConfig.NONE)) {
      timer.scheduleWithFixedDelay(this::exportMetrics, 0, METRICS_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }
    if (options.snapshotInterval() != null) {
      long every = options.snapshotInterval().toMillis();
      snapshotter.scheduleWithFixedDelay(this::snapshotAll, every, every, TimeUnit.MILLISECONDS);
    }
  }

  public List<ClusterJournal> journals() {
    return journals;
  }

  /** Completes exceptionally, with one line, when any journal cannot go on. */
  public CompletableFuture<Object> failure() {
    return CompletableFuture.anyOf(journals.stream().map(ClusterJournal::failure)
        .toArray(CompletableFuture[]::new));
  }

  /** Waits up to {@code grace} for every journal to receive what etcd had when asked. */
  public void catchUp(Duration grace) {
    journals.forEach(journal -> journal.catchUp(grace));
  }

  private void gap(ClusterJournal journal, long needed, long compactedTo) {
    LOG.warn("cluster {}: etcd has compacted revision {} the journal needs next (compacted up to {}); taking a"
        + " full snapshot now to start a new chain from", journal.cluster().name(), needed, compactedTo);
    try {
      snapshotter.execute(() -> snapshotAfterGap(journal, needed));
    } catch (RejectedExecutionException e) {
      // stopping: the next start takes the snapshot
    }
  }

  /**
   * The chain before a new one is no longer appended to, so it goes once its snapshot is no longer on the volume
   * (the snapshot run that gave that snapshot up kept the chain then, as the newest). On the snapshots' thread, off
   * the journal's, and never beside an in-process snapshot run's own retention.
   */
  private void pruneLater(ClusterConfig cluster) {
    try {
      snapshotter.execute(() -> ChainRetention.prune(volumeFile(cluster), keys.reader()));
    } catch (RejectedExecutionException e) {
      // stopping: the next start prunes
    }
  }

  private Path volumeFile(ClusterConfig cluster) {
    return config.dir().resolve(cluster.fileName());
  }

  private void snapshotAfterGap(ClusterJournal journal, long needed) {
    if (!journal.inGap()) {
      return; // a snapshot taken meanwhile has started the new chain
    }
    String failure = snapshots.take(List.of(journal.cluster())).get(0);
    if (failure != null) {
      journal.fail("etcd has compacted revision " + needed + " the journal needs, and the full snapshot to start a"
          + " new chain from failed: " + failure + "; fix that and start journal again: it takes the snapshot"
          + " first");
      return;
    }
    checkIndex(true);
    if (journal.inGap()) {
      journal.fail("etcd has compacted revision " + needed + " the journal needs, and the full snapshot taken for"
          + " it does not reach past it; start journal again to take another");
    }
  }

  private void snapshotAll() {
    snapshots.take(config.clusters());
    checkIndex(true);
  }

  private void pollIndex() {
    checkIndex(false);
  }

  /** Tells each journal of its cluster's newest full snapshot, when snapshots.json changed (or {@code always}). */
  private synchronized void checkIndex(boolean always) {
    try {
      FileTime seen = indexTime();
      if (!always && seen != null && seen.equals(indexSeen)) {
        return;
      }
      indexSeen = seen;
      SnapshotIndex index = SnapshotIndex.load(config.dir());
      for (ClusterJournal journal : journals) {
        SnapshotIndex.Entry entry = newest(index, journal.cluster());
        if (entry != null && entry.clusterId.equals(journal.clusterId())) {
          journal.newSnapshot(entry.revision);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot read {} for new full snapshots ({}); trying again", config.dir().resolve(SnapshotIndex.FILE),
          OneLine.message(e));
    }
  }

  private FileTime indexTime() throws IOException {
    Path index = config.dir().resolve(SnapshotIndex.FILE);
    return Files.exists(index, LinkOption.NOFOLLOW_LINKS)
        ? Files.getLastModifiedTime(index, LinkOption.NOFOLLOW_LINKS) : null;
  }

  private void exportMetrics() {
    MetricsExport.exportJournals(config.metrics(), config.clusterName(), journals.stream()
        .map(j -> new JournalFigures(j.cluster().name(), j.durableRevision(), j.syncedAt())).toList());
  }

  /**
   * Stops taking snapshots (one under way finishes, or is cleaned up at exit as a stopped snapshot run is) and
   * closes every journal, each made durable even when another fails to close; the first failure is thrown after.
   */
  @Override
  public void close() throws IOException {
    snapshotter.shutdown();
    timer.shutdown();
    IOException first = null;
    for (ClusterJournal journal : journals) {
      try {
        journal.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (!config.metrics().equals(MetricsConfig.NONE) && !journals.isEmpty()) {
      exportMetrics();
    }
    keys.close();
    if (first != null) {
      throw first;
    }
  }
}
