package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.Background;
import io.etcdsnapshotter.bolt.BoltCopy;
import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.bolt.BucketScanVisitor;
import io.etcdsnapshotter.volume.KeptSnapshots;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the snapshot in one structural scan (so a damaged source fails here, while the kernel copies its pages) and
 * tells the copy what etcdutl (3.5 to 3.7) changes on restore: the members buckets are emptied and refilled with the
 * new members, the buckets etcd needs are created if missing, meta gets consistent_index = N and term = 1, and an
 * optional bump adds an empty key revision above the latest one and schedules a compaction at it (etcd 3.5.10+).
 * With a journal, the key bucket also gets the journal's revisions up to the target and the lease bucket becomes the
 * leases alive then; with a bump as well, only each key's last event of those revisions, since etcd compacts the rest
 * away on its first start anyway.
 * Everything else, the storage and cluster versions of etcd 3.6+ included, stays as it is, as etcdutl keeps it.
 * On the way it hashes the content the restored db must read back.
 */
final class BackendCopy implements BucketScanVisitor {
  private enum Mode { COPY, KEYS, LEASES, META, MEMBERS, DROP }

  private final BoltFile source;
  private final BoltCopy target;
  private final Cluster cluster;
  private final long bumpRevision;
  private final PointInTime pointInTime;
  /** The journal's superseded events, found beside the copy for a replay marked compacted; else null. */
  private Background<BitSet> superseded;
  private final ContentHash expected = new ContentHash();
  private final TreeSet<byte[]> missing = new TreeSet<>(Arrays::compareUnsigned);
  private final SortedMap<byte[], byte[]> meta = pairs();
  private Mode mode;
  private byte[] bucket;
  private boolean inSource;
  /** The lease bucket at the journal's target; null without a journal. */
  private Leases leases;
  /** The main revision of the last key-bucket key: with tombstones, the highest revision in the snapshot. */
  private long latestRevision;

  private BackendCopy(BoltFile source, BoltCopy target, Cluster cluster, long bumpRevision, PointInTime pointInTime) {
    this.source = source;
    this.target = target;
    this.cluster = cluster;
    this.bumpRevision = bumpRevision;
    this.pointInTime = pointInTime;
    missing.addAll(List.of(Backend.KEY, Backend.META, Backend.MEMBERS, Backend.MEMBERS_REMOVED, Backend.CLUSTER));
    if (pointInTime != null) {
      missing.add(Backend.LEASE);
    }
  }

  /**
   * @param bumpRevision 0 for none; otherwise the revision gap, marked compacted
   * @param pointInTime null for none; otherwise the journal's revisions after the snapshot's are appended up to its
   *     target (the bump, if any, then goes above it)
   * @param scratch a private dir for temporary files
   * @return the content the restored db must hold, as etcd's status hashes it
   */
  static ContentHash copy(BoltFile source, BoltCopy target, Cluster cluster, long bumpRevision,
      PointInTime pointInTime, Path scratch) throws IOException {
    BackendCopy copy = new BackendCopy(source, target, cluster, bumpRevision, pointInTime);
    if (pointInTime != null && bumpRevision > 0) {
      long after = KeptSnapshots.revision(source);
      // On a second core while the snapshot's pages are copied: the copy reads the db, this the journal.
      copy.superseded = Background.start("journal keys", () -> JournalReplay.superseded(pointInTime, after, scratch));
    }
    try {
      source.scan(copy);
      copy.closeBucket();
      copy.createMissingBefore(null);
    } catch (IOException | RuntimeException e) {
      if (copy.superseded != null) {
        copy.superseded.cancel(); // its spilled keys are in the scratch dir the failure deletes
      }
      throw e;
    }
    return copy.expected;
  }

  @Override
  public void bucket(ByteBuffer nameView) throws IOException {
    byte[] name = bytes(nameView);
    closeBucket();
    createMissingBefore(name);
    missing.remove(name);
    openBucket(name, true);
  }

  @Override
  public void keyValue(ByteBuffer key, ByteBuffer value) throws IOException {
    switch (mode) {
      case COPY -> expected.pair(key, value);
      case KEYS -> {
        if (key.remaining() < Backend.REVISION_BYTES) {
          throw new IOException("bucket 'key' holds a " + key.remaining() + "-byte key where etcd keeps"
              + " revisions: not an etcd snapshot");
        }
        latestRevision = key.getLong(key.position());
        expected.pair(key, value);
      }
      case META -> meta.put(bytes(key), bytes(value));
      case LEASES, MEMBERS, DROP -> { }
    }
  }

  /** Buckets etcd needs that the source lacks, in their place in name order ({@code null}: all that are left). */
  private void createMissingBefore(byte[] name) throws IOException {
    while (!missing.isEmpty() && (name == null || Arrays.compareUnsigned(missing.first(), name) < 0)) {
      openBucket(missing.pollFirst(), false);
      closeBucket();
    }
  }

  private void openBucket(byte[] name, boolean fromSource) {
    bucket = name;
    inSource = fromSource;
    expected.bucket(name);
    if (Arrays.equals(name, Backend.KEY)) {
      mode = Mode.KEYS;
    } else if (Arrays.equals(name, Backend.LEASE) && pointInTime != null) {
      mode = Mode.LEASES;
    } else if (Arrays.equals(name, Backend.META)) {
      mode = Mode.META;
    } else if (Arrays.equals(name, Backend.MEMBERS)) {
      mode = Mode.MEMBERS;
    } else {
      mode = Arrays.equals(name, Backend.MEMBERS_REMOVED) ? Mode.DROP : Mode.COPY;
    }
  }

  private void closeBucket() throws IOException {
    if (mode == null) {
      return;
    }
    switch (mode) {
      case KEYS -> keys();
      case LEASES -> replace(leases.bucket());
      case META -> replace(newMeta());
      case MEMBERS -> replace(newMembers());
      case DROP -> replace(pairs());
      case COPY -> {
        if (!inSource) {
          replace(pairs());
        }
      }
    }
    mode = null;
  }

  private void replace(SortedMap<byte[], byte[]> pairs) {
    pairs.forEach((key, value) -> expected.pair(ByteBuffer.wrap(key), ByteBuffer.wrap(value)));
    target.replaceBucket(bucket, pairs);
  }

  /**
   * The key bucket's new revisions after the copied ones, the journal's up to the target and then the bump's,
   * streamed into the copy and the hash as they come.
   */
  private void keys() throws IOException {
    if (pointInTime == null && bumpRevision == 0) {
      if (!inSource) {
        replace(pairs());
      }
      return;
    }
    BoltCopy.Appender keys = target.appendTo(bucket);
    JournalReplay.PairSink added = (key, value) -> {
      expected.pair(ByteBuffer.wrap(key), value);
      keys.add(key, value);
    };
    if (pointInTime != null) {
      JournalReplay.Replayed replayed = superseded == null
          ? JournalReplay.replay(pointInTime, source, latestRevision, added)
          : JournalReplay.replay(pointInTime, source, latestRevision, added, superseded.await());
      latestRevision = Math.max(latestRevision, replayed.revision());
      leases = replayed.leases();
    }
    if (bumpRevision > 0) {
      added.pair(bumpedRevision(), ByteBuffer.allocate(0));
    }
    keys.finish();
  }

  /** Members keyed by hex ID; the keys sort as strings, which is not the ID order. */
  private SortedMap<byte[], byte[]> newMembers() {
    SortedMap<byte[], byte[]> members = pairs();
    cluster.members().forEach(m -> members.put(Backend.ascii(m.hexId()), m.json().getBytes(StandardCharsets.UTF_8)));
    return members;
  }

  /** "key" sorts before "meta", so the latest revision is known here. */
  private SortedMap<byte[], byte[]> newMeta() throws IOException {
    meta.put(Backend.CONSISTENT_INDEX, Backend.bigEndian(cluster.members().size()));
    meta.put(Backend.TERM, Backend.bigEndian(1));
    if (bumpRevision > 0) {
      meta.put(Backend.SCHEDULED_COMPACT, bumpedRevision());
    }
    return meta;
  }

  /** The latest revision (tombstones included) plus the bump, sub-revision 0, as etcd 3.5.10+ writes it. */
  private byte[] bumpedRevision() throws IOException {
    if (bumpRevision > Long.MAX_VALUE - latestRevision) {
      throw new IOException("--bump-revision " + bumpRevision + " takes the latest revision " + latestRevision
          + " past 2^63-1; use a smaller bump");
    }
    return Backend.revision(latestRevision + bumpRevision);
  }

  /** Pairs in bbolt's key order. */
  private static SortedMap<byte[], byte[]> pairs() {
    return new TreeMap<>(Arrays::compareUnsigned);
  }

  private static byte[] bytes(ByteBuffer view) {
    byte[] bytes = new byte[view.remaining()];
    view.duplicate().get(bytes);
    return bytes;
  }
}
