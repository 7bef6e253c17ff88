package io.etcdsnapshotter.follow;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchProgressRequest;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.etcdsnapshotter.Background;
import io.etcdsnapshotter.OneLine;
import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.etcd.EtcdChannel;
import io.etcdsnapshotter.etcd.EtcdMember;
import io.etcdsnapshotter.etcd.FailureCause;
import io.etcdsnapshotter.etcd.LeaseList;
import io.etcdsnapshotter.etcd.MemberSelector;
import io.etcdsnapshotter.journal.JournalWriter;
import io.etcdsnapshotter.journal.RevisionRecord;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one etcd cluster into its journal: a watch of every key from the revision after the journal's last (the
 * newest full snapshot's, for a new chain), each revision's events appended in order, everything appended made
 * durable every fsync interval. A watch that breaks is resumed from the revision after the last appended, on the
 * first healthy endpoint, for up to the retry time. A revision etcd has compacted away is a gap: the journal never
 * skips it, but tells its {@link Chains} and waits for a full snapshot past the gap ({@link #newSnapshot}) to start a
 * new chain from, unless the snapshot a roll waits for already holds every revision compacted. A newer full snapshot
 * of the cluster starts a new chain too, once the old one reaches it, at start as while running; each new chain is
 * told to the {@link Chains} as well.
 */
public final class ClusterJournal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterJournal.class);
  private static final ByteString ALL_KEYS = ByteString.copyFrom(new byte[] {0});
  /** etcd's fragment fields, which the gRPC API jetcd ships predates: WatchCreateRequest 8, WatchResponse 7. */
  private static final int CREATE_FRAGMENT = 8;
  private static final int RESPONSE_FRAGMENT = 7;

  private final ClusterConfig cluster;
  private final JournalSettings settings;
  private final Chains chains;
  /** Guards {@link #writer}, which a new chain replaces, and the chain state beside it. */
  private final Object chainLock = new Object();
  private JournalWriter writer;
  /** The base of a newer snapshot the chain is to roll to once it holds that revision; 0 for none. */
  private long rollAt;
  /** The revision the journal needed when etcd said it had compacted it; 0 while there is no gap. */
  private long gapAt;
  /** When the last sync made everything received durable; null before the first. */
  private volatile Instant syncedAt;
  private final ScheduledExecutorService timer;
  private final CompletableFuture<Void> failure = new CompletableFuture<>();
  private EtcdMember member;
  /** The current watch's requests, and its number: responses of a watch replaced since are ignored. */
  private StreamObserver<WatchRequest> requests;
  private volatile int watchId;
  /** When the watch broke and has not delivered since; null while it delivers. */
  private volatile Instant brokenSince;
  /** When the current watch last delivered anything (System.nanoTime), or began. */
  private volatile long deliveredAt;
  /** Whether etcd has been asked for its progress since the watch last delivered. */
  private volatile boolean progressAsked;
  private volatile boolean closing;
  /** The leases alive at the last good poll; null before the first, which lists them all. */
  private Set<Long> knownLeases;
  /** The chain the last good lease poll was recorded in: a new chain begins with every lease listed again. */
  private JournalWriter leasesWriter;

  /** Told what changes the journal's chains, on the journal's own threads: neither call may block. */
  public interface Chains {
    /** etcd has compacted a revision the journal needs: the journal now waits for a full snapshot past it. */
    void gap(ClusterJournal journal, long needed, long compactedTo);

    /** A new chain has begun (told while the journal holds it): the one before is no longer appended to. */
    void started(ClusterJournal journal);
  }

  private ClusterJournal(ClusterConfig cluster, JournalSettings settings, Chains chains, EtcdMember member,
      JournalWriter writer) {
    this.cluster = cluster;
    this.settings = settings;
    this.chains = chains;
    this.member = member;
    this.writer = writer;
    this.timer = Background.timer("journal " + cluster.name());
  }

  /** Opens the journal (cutting off a torn tail) and starts following; failures later complete {@link #failure}. */
  public static ClusterJournal start(ClusterConfig cluster, JournalSettings settings, Chains chains)
      throws IOException {
    EtcdMember member = MemberSelector.firstHealthy(cluster, settings.dialTimeout(), settings.readPace());
    try {
      if (!member.clusterIdHex().equals(settings.snapshotClusterId())) {
        throw new IOException("cluster " + cluster.name() + " is etcd cluster " + member.clusterIdHex() + " but its"
            + " newest snapshot is of " + settings.snapshotClusterId() + "; take a snapshot of this cluster first, or"
            + " if it was replaced on purpose (a restore with a new token) start journal with --allow-cluster-change"
            + " and --snapshot-interval to take it");
      }
      JournalWriter writer = JournalWriter.open(settings.dir(), member.clusterId(), settings.snapshotRevision(),
          settings.segmentBytes(), settings.keys());
      ClusterJournal journal = new ClusterJournal(cluster, settings, chains, member, writer);
      journal.newSnapshot(settings.snapshotRevision());
      journal.logStart();
      long interval = settings.fsyncInterval().toMillis();
      journal.timer.scheduleWithFixedDelay(journal::sync, 0, interval, TimeUnit.MILLISECONDS);
      journal.watch();
      return journal;
    } catch (IOException | RuntimeException e) {
      member.close();
      throw e;
    }
  }

  private void logStart() {
    synchronized (chainLock) {
      if (rollAt > 0) {
        LOG.info("cluster {}: chain {} ends at revision {}, before the newest full snapshot's {}: it goes on until it"
            + " holds that revision, and the snapshot's chain begins after it", cluster.name(),
            writer.baseRevision(), writer.lastRevision(), rollAt);
      }
      LOG.info("cluster {}: journal chain {} in {}, following from revision {}", cluster.name(),
          writer.baseRevision(), settings.dir(), writer.lastRevision() + 1);
    }
  }

  /** Completes exceptionally, with one line saying what to do, when the journal cannot go on. */
  public CompletableFuture<Void> failure() {
    return failure;
  }

  private void watch() {
    long from = lastRevision() + 1;
    List<Event> partial = new ArrayList<>();
    int id = ++watchId;
    deliveredAt = System.nanoTime();
    progressAsked = false;
    EtcdChannel channel = member.channel();
    requests = channel.watch().watch(new StreamObserver<>() {
      @Override
      public void onNext(WatchResponse response) {
        if (id == watchId) {
          deliveredAt = System.nanoTime();
          progressAsked = false;
          channel.readPaced(caughtUp(response));
          received(response, from, partial);
        }
      }

      @Override
      public void onError(Throwable t) {
        if (id == watchId) {
          broken(t);
        }
      }

      @Override
      public void onCompleted() {
        if (id == watchId) {
          broken(new IOException("etcd ended the watch"));
        }
      }
    });
    requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
        .setKey(ALL_KEYS).setRangeEnd(ALL_KEYS).setStartRevision(from).setProgressNotify(true)
        .setUnknownFields(UnknownFieldSet.newBuilder().addField(CREATE_FRAGMENT,
            UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build())).build());
  }

  /**
   * Whether a response comes from a watch that keeps up: etcd stamps those with the revision of their events, and
   * the batches of a watch catching up with its current revision, past theirs.
   */
  private static boolean caughtUp(WatchResponse response) {
    int events = response.getEventsCount();
    return events == 0
        || response.getHeader().getRevision() <= response.getEvents(events - 1).getKv().getModRevision();
  }

  private void received(WatchResponse response, long from, List<Event> partial) {
    if (response.getCompactRevision() > 0) {
      gapped(from, response.getCompactRevision());
      return;
    }
    if (response.getCanceled()) {
      broken(new IOException("etcd cancelled the watch: " + response.getCancelReason()));
      return;
    }
    brokenSince = null;
    try {
      appendByRevision(response.getEventsList(), partial, !isFragment(response));
    } catch (IOException | RuntimeException e) {
      fail("cannot append to the journal in " + settings.dir() + ": " + OneLine.message(e));
    }
  }

  /**
   * One record per revision. etcd sends a response larger than its request limit as fragments (all but the last
   * marked), so that a catch-up over large values never exceeds what a client takes in one message; a fragment may
   * end inside a revision, whose events wait in {@code partial} (one per watch stream) until an event of a later
   * revision or the last fragment shows it whole: a response ends with a whole revision.
   */
  private void appendByRevision(List<Event> events, List<Event> partial, boolean complete) throws IOException {
    for (Event event : events) {
      if (!partial.isEmpty() && event.getKv().getModRevision() != partial.get(0).getKv().getModRevision()) {
        appendRevision(partial);
      }
      partial.add(event);
    }
    if (complete && !partial.isEmpty()) {
      appendRevision(partial);
    }
  }

  private static boolean isFragment(WatchResponse response) {
    UnknownFieldSet.Field fragment = response.getUnknownFields().getField(RESPONSE_FRAGMENT);
    return fragment != null && fragment.getVarintList().contains(1L);
  }

  private void appendRevision(List<Event> events) throws IOException {
    long revision = events.get(0).getKv().getModRevision();
    synchronized (chainLock) {
      if (rollAt > 0 && revision > rollAt) {
        roll(rollAt);
      }
      writer.append(new RevisionRecord(revision, events));
    }
    events.clear();
  }

  private void gapped(long needed, long compactedTo) {
    long covering = 0;
    synchronized (chainLock) {
      if (gapAt > 0) {
        return;
      }
      gapAt = needed;
      if (rollAt >= compactedTo) {
        // The snapshot the roll waits for holds every revision etcd compacted: the chain after the gap starts from
        // it, and no snapshot is taken for the gap.
        covering = rollAt;
        rollAt = 0;
      }
    }
    if (covering > 0) {
      newSnapshot(covering);
    } else {
      chains.gap(this, needed, compactedTo);
    }
  }

  /**
   * A full snapshot of this cluster at {@code revision} is on the volume. After a gap that ends it, a new chain
   * starts from it and the watch follows from the revision after; otherwise, if it is newer than the chain's base,
   * the chain rolls to it: at once when the chain already holds that revision (the newer revisions copied), else at
   * the first revision after it, so that the old chain reaches the snapshot and nothing is lost or held twice. A
   * start is told of the newest snapshot this way too: a journal stopped before it continues its chain up to it.
   */
  public void newSnapshot(long revision) {
    try {
      synchronized (chainLock) {
        if (closing || failure.isDone() || revision <= writer.baseRevision() || revision <= rollAt) {
          return;
        }
        if (gapAt == 0 && revision <= writer.lastRevision()) {
          roll(revision);
        } else if (gapAt == 0) {
          rollAt = revision;
        } else if (revision > writer.lastRevision()) {
          restartAfterGap(revision);
          timer.execute(this::rewatch);
        }
      }
    } catch (IOException | RuntimeException e) {
      fail("cannot start a new chain in " + settings.dir() + " at revision " + revision + ": " + OneLine.message(e));
    }
  }

  /** Whether the journal waits for a full snapshot past a revision etcd compacted before the journal had it. */
  public boolean inGap() {
    synchronized (chainLock) {
      return gapAt > 0;
    }
  }

  private void roll(long base) throws IOException {
    long oldBase = writer.baseRevision();
    long last = writer.lastRevision();
    writer = writer.roll(base);
    rollAt = 0;
    LOG.info("cluster {}: new chain {} from the full snapshot at revision {}; chain {} ends at revision {}",
        cluster.name(), base, base, oldBase, last);
    chains.started(this);
  }

  private void restartAfterGap(long base) throws IOException {
    long oldBase = writer.baseRevision();
    long last = writer.lastRevision();
    writer.close();
    writer = JournalWriter.newChain(settings.dir(), writer.clusterId(), base, settings.segmentBytes(),
        settings.keys());
    LOG.warn("cluster {}: etcd compacted revision {} before the journal had it: chain {} ends at revision {} and"
        + " chain {} starts at the full snapshot of revision {}; no restore is possible between revisions {} and {}",
        cluster.name(), gapAt, oldBase, last, base, base, last, base);
    gapAt = 0;
    rollAt = 0;
    chains.started(this);
  }

  /** A broken watch is resumed on a new connection, a second later, until the retry time runs out. */
  private synchronized void broken(Throwable cause) {
    if (closing || failure.isDone()) {
      return;
    }
    Instant now = Instant.now();
    if (brokenSince == null) {
      brokenSince = now;
    }
    String why = FailureCause.describeAt(member.endpoint(), cause, settings.dialTimeout());
    if (Duration.between(brokenSince, now).compareTo(settings.retryFor()) > 0) {
      fail("the watch broke and could not be resumed for " + settings.retryFor().toSeconds() + " s (" + why
          + "); the journal ends at revision " + lastRevision() + ": start journal again once etcd is"
          + " reachable");
      return;
    }
    LOG.warn("cluster {}: the watch broke ({}); resuming from revision {}", cluster.name(), why,
        lastRevision() + 1);
    timer.schedule(this::resume, 1, TimeUnit.SECONDS);
  }

  private synchronized void resume() {
    if (closing) {
      return;
    }
    member.close();
    try {
      member = MemberSelector.firstHealthy(cluster, settings.dialTimeout(), settings.readPace());
      if (member.clusterId() != writer.clusterId()) {
        // A restore with a new token, or a rebuild, behind the same endpoints: its revisions are not the ones this
        // chain holds, and appending them would make a history neither cluster had.
        fail("the endpoints now serve etcd cluster " + member.clusterIdHex() + ", not " + Long.toHexString(
            writer.clusterId()) + " the journal follows (restored or rebuilt?); the journal ends at revision "
            + lastRevision() + ". Once a snapshot of the new cluster is on the volume (snapshot"
            + " --allow-cluster-change), start journal again: it continues that snapshot");
        return;
      }
      synchronized (chainLock) {
        if (gapAt > 0) {
          return; // a new chain, after the snapshot, watches again
        }
      }
      watch();
    } catch (IOException | RuntimeException e) {
      broken(e);
    }
  }

  /** Follows on from the new chain's base on the same connection; the watch etcd cancelled at the gap is ended. */
  private synchronized void rewatch() {
    if (closing) {
      return;
    }
    StreamObserver<WatchRequest> cancelled = requests;
    try {
      watch();
      cancelled.onCompleted();
    } catch (RuntimeException e) {
      broken(e);
    }
  }

  /**
   * Runs every fsync interval. Whatever it throws ends the journal (to be restarted whole): a scheduled task that
   * threw an Error would otherwise never run again, and the journal would go on receiving without ever syncing.
   */
  private void sync() {
    try {
      pollLeases();
      Instant now = Instant.now();
      synchronized (chainLock) {
        writer.sync();
      }
      syncedAt = now;
      checkDelivering();
    } catch (IOException | RuntimeException e) {
      fail("cannot fsync the journal in " + settings.dir() + ": " + OneLine.message(e));
    } catch (Error e) {
      fail("stopped by " + e);
      throw e;
    }
  }

  /**
   * A watch stream can stop delivering without breaking: a connection half open, a stream whose flow control never
   * reopens. Quiet for a dial timeout, etcd is asked for its progress on the stream, which it answers at once on a
   * live one; still quiet for two more, the watch is taken as broken and resumed on a new connection.
   */
  private synchronized void checkDelivering() {
    boolean gap;
    synchronized (chainLock) {
      gap = gapAt > 0; // no watch until the snapshot past the gap
    }
    if (gap || brokenSince != null || closing) {
      return;
    }
    long quiet = System.nanoTime() - deliveredAt;
    long timeout = settings.dialTimeout().toNanos();
    if (quiet > 3 * timeout) {
      broken(new IOException("the watch delivered nothing for " + TimeUnit.NANOSECONDS.toSeconds(quiet)
          + " s, not even the progress etcd was asked for"));
    } else if (quiet > timeout && !progressAsked) {
      progressAsked = true;
      requests.onNext(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance())
          .build());
    }
  }


  /**
   * Records the leases granted (with their granted TTL) and gone since the last poll; the first poll of each start
   * lists every lease. A poll that fails is left to the next one, which then sees what changed since the last
   * good one: a restore is only short of a lease granted and gone between two good polls.
   */
  private void pollLeases() throws IOException {
    EtcdMember current;
    synchronized (this) {
      current = member;
    }
    JournalWriter chain;
    synchronized (chainLock) {
      chain = writer;
    }
    if (chain != leasesWriter) {
      knownLeases = null;
    }
    LeaseGrpc.LeaseBlockingStub leases = current.channel().lease();
    long deadline = settings.dialTimeout().toMillis();
    SortedMap<Long, Long> granted = new TreeMap<>();
    Set<Long> alive = new HashSet<>();
    long revision;
    try {
      LeaseList list = LeaseList.of(leases, deadline);
      revision = list.revision();
      for (long id : list.ids()) {
        if (knownLeases != null && knownLeases.contains(id)) {
          alive.add(id);
          continue;
        }
        long ttl = leases.withDeadlineAfter(deadline, TimeUnit.MILLISECONDS)
            .leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id).build()).getGrantedTTL();
        if (ttl > 0) {
          granted.put(id, ttl);
          alive.add(id);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("cluster {}: could not list its leases ({}); the next poll catches up", cluster.name(),
          OneLine.message(e));
      return;
    }
    List<Long> gone = knownLeases == null ? List.of()
        : knownLeases.stream().filter(id -> !alive.contains(id)).sorted().toList();
    synchronized (chainLock) {
      if (writer != chain) {
        return; // a new chain began meanwhile: the next poll lists every lease in it
      }
      if (knownLeases == null || !granted.isEmpty() || !gone.isEmpty()) {
        writer.appendLeases(revision, knownLeases == null, granted, gone);
      }
    }
    knownLeases = alive;
    leasesWriter = chain;
  }

  /** Ends the journal with {@code message} (one line naming the fix): {@link #failure} completes with it. */
  public void fail(String message) {
    failure.completeExceptionally(new IOException("cluster " + cluster.name() + ": " + message));
  }

  public ClusterConfig cluster() {
    return cluster;
  }

  /** The etcd cluster ID (hex) the journal follows. */
  public String clusterId() {
    return settings.snapshotClusterId();
  }

  public long lastRevision() {
    synchronized (chainLock) {
      return writer.lastRevision();
    }
  }

  /** The newest revision made durable: what a crash now would keep. */
  public long durableRevision() {
    synchronized (chainLock) {
      return writer.durableRevision();
    }
  }

  /** When the journal last made everything received durable; null before the first time. */
  public Instant syncedAt() {
    return syncedAt;
  }

  /**
   * Waits up to {@code grace} until the journal has received every revision etcd had when asked, so that a clean
   * stop leaves nothing in flight; what it still lacks then is fetched again by the next start.
   */
  public void catchUp(Duration grace) {
    Instant deadline = Instant.now().plus(grace);
    long current;
    EtcdMember following;
    synchronized (this) {
      following = member;
    }
    try {
      current = following.channel().maintenance().withDeadlineAfter(grace.toMillis(), TimeUnit.MILLISECONDS)
          .status(StatusRequest.getDefaultInstance()).getHeader().getRevision();
    } catch (RuntimeException e) {
      LOG.warn("cluster {}: stopping without catching up: {}", cluster.name(), OneLine.message(e));
      return;
    }
    try {
      while (lastRevision() < current && !failure.isDone() && Instant.now().isBefore(deadline)) {
        Thread.sleep(10);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (lastRevision() < current) {
      LOG.warn("cluster {}: stopping at revision {} before etcd's {}; the next start fetches the rest",
          cluster.name(), lastRevision(), current);
    }
  }

  /** Stops the watch, records the leases as they are now and makes everything appended durable. */
  @Override
  public void close() throws IOException {
    closing = true;
    // Never interrupted: an interrupt during a file write closes the journal's channel (ClosedByInterruptException).
    timer.shutdown();
    try {
      if (timer.awaitTermination(settings.dialTimeout().toMillis(), TimeUnit.MILLISECONDS) && !failure.isDone()) {
        pollLeases();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    EtcdMember current;
    synchronized (this) {
      current = member;
    }
    current.close();
    synchronized (chainLock) {
      writer.close();
    }
  }
}
