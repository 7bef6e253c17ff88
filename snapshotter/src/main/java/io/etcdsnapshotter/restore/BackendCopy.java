package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.bolt.BoltWriter;
import io.etcdsnapshotter.bolt.BucketScanVisitor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Streams the snapshot into a new bbolt file in one structural scan (so a damaged source fails here), changing
 * what etcdutl (3.5 to 3.7) changes on restore: the members buckets are emptied and refilled with the new members,
 * the buckets etcd needs are created if missing, meta gets consistent_index = N and term = 1, and an optional bump
 * adds an empty key revision above the latest one and schedules a compaction at it (etcd 3.5.10+). Everything else,
 * the storage and cluster versions of etcd 3.6+ included, is copied as it is, as etcdutl keeps it.
 */
final class BackendCopy implements BucketScanVisitor {
  private enum Mode { COPY, KEYS, META, MEMBERS, DROP }

  private final BoltWriter target;
  private final Cluster cluster;
  private final long bumpRevision;
  private final Progress progress;
  private final TreeSet<byte[]> missing = new TreeSet<>(Arrays::compareUnsigned);
  private final TreeMap<byte[], byte[]> meta = new TreeMap<>(Arrays::compareUnsigned);
  private Mode mode;
  /** The main revision of the last key-bucket key: with tombstones, the highest revision in the snapshot. */
  private long latestRevision;

  private BackendCopy(BoltWriter target, Cluster cluster, long bumpRevision, Progress progress) {
    this.target = target;
    this.cluster = cluster;
    this.bumpRevision = bumpRevision;
    this.progress = progress;
    missing.addAll(List.of(Backend.KEY, Backend.META, Backend.MEMBERS, Backend.MEMBERS_REMOVED, Backend.CLUSTER));
  }

  /** @param bumpRevision 0 for none; otherwise the revision gap, marked compacted */
  static void copy(BoltFile source, BoltWriter target, Cluster cluster, long bumpRevision, Progress progress)
      throws IOException {
    BackendCopy copy = new BackendCopy(target, cluster, bumpRevision, progress);
    source.scan(copy);
    copy.closeBucket();
    copy.createMissingBefore(null);
  }

  @Override
  public void bucket(ByteBuffer nameView) throws IOException {
    byte[] name = bytes(nameView);
    closeBucket();
    createMissingBefore(name);
    missing.remove(name);
    openBucket(name);
  }

  @Override
  public void keyValue(ByteBuffer key, ByteBuffer value) throws IOException {
    progress.add(key.remaining() + value.remaining());
    switch (mode) {
      case COPY -> target.put(key, value);
      case KEYS -> {
        if (key.remaining() < Backend.REVISION_BYTES) {
          throw new IOException("bucket 'key' holds a " + key.remaining() + "-byte key where etcd keeps"
              + " revisions: not an etcd snapshot");
        }
        latestRevision = key.getLong(key.position());
        target.put(key, value);
      }
      case META -> meta.put(bytes(key), bytes(value));
      case MEMBERS, DROP -> { }
    }
  }

  /** Buckets etcd needs that the source lacks, in their place in name order ({@code null}: all that are left). */
  private void createMissingBefore(byte[] name) throws IOException {
    while (!missing.isEmpty() && (name == null || Arrays.compareUnsigned(missing.first(), name) < 0)) {
      openBucket(missing.pollFirst());
      closeBucket();
    }
  }

  private void openBucket(byte[] name) {
    target.beginBucket(name);
    if (Arrays.equals(name, Backend.KEY)) {
      mode = Mode.KEYS;
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
      case KEYS -> {
        if (bumpRevision > 0) {
          target.put(bumpedRevision(), new byte[0]);
        }
      }
      case META -> writeMeta();
      case MEMBERS -> writeMembers();
      case COPY, DROP -> { }
    }
    target.endBucket();
    mode = null;
  }

  /** Members keyed by hex ID; the keys sort as strings, which is not the ID order. */
  private void writeMembers() throws IOException {
    TreeMap<String, Member> byKey = new TreeMap<>();
    cluster.members().forEach(m -> byKey.put(m.hexId(), m));
    for (Map.Entry<String, Member> member : byKey.entrySet()) {
      target.put(Backend.ascii(member.getKey()), member.getValue().json().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** "key" sorts before "meta", so the latest revision is known here. */
  private void writeMeta() throws IOException {
    meta.put(Backend.CONSISTENT_INDEX, Backend.bigEndian(cluster.members().size()));
    meta.put(Backend.TERM, Backend.bigEndian(1));
    if (bumpRevision > 0) {
      meta.put(Backend.SCHEDULED_COMPACT, bumpedRevision());
    }
    for (Map.Entry<byte[], byte[]> entry : meta.entrySet()) {
      target.put(entry.getKey(), entry.getValue());
    }
  }

  /** The latest revision (tombstones included) plus the bump, sub-revision 0, as etcd 3.5.10+ writes it. */
  private byte[] bumpedRevision() throws IOException {
    if (bumpRevision > Long.MAX_VALUE - latestRevision) {
      throw new IOException("--bump-revision " + bumpRevision + " takes the latest revision " + latestRevision
          + " past 2^63-1; use a smaller bump");
    }
    return Backend.revision(latestRevision + bumpRevision);
  }

  private static byte[] bytes(ByteBuffer view) {
    byte[] bytes = new byte[view.remaining()];
    view.duplicate().get(bytes);
    return bytes;
  }
}
