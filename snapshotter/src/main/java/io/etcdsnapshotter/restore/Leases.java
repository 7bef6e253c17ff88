package io.etcdsnapshotter.restore;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.journal.LeaseRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The lease bucket of a restore to N, as etcd's lessor reads it on start (leasepb.Lease {ID, TTL} under BE64(ID)):
 * it attaches each key to its lease and expires the lease after its TTL. It starts as the snapshot's; the journal's
 * lease records stamped up to N then add the leases granted (with their granted TTL) and drop those gone, a full
 * record keeping only those it lists. A put attaches to a lease granted up to a poll before it is recorded, so a
 * lease a put up to N names that no record up to N granted is pending while a key is still attached to it at N (a
 * lease revoked between two polls deleted its keys) until a record after N grants it; one never granted is a
 * refusal: etcd would start with the key unattached.
 */
final class Leases {
  /** Lease ID to its bucket value. */
  private final SortedMap<Long, byte[]> alive = new TreeMap<>();
  /** Lease ID to the first revision that attached a key to it while it was not known. */
  private final Map<Long, Long> pending = new TreeMap<>();
  /** The keys attached to each pending lease, and the other way round. */
  private final Map<Long, Set<ByteString>> pendingKeys = new HashMap<>();
  private final Map<ByteString, Long> keyLease = new HashMap<>();

  /** The snapshot's leases. */
  static Leases of(BoltFile source) throws IOException {
    Leases leases = new Leases();
    source.forEach(Backend.LEASE, (key, value) -> leases.alive.put(ByteBuffer.wrap(key).getLong(), value));
    return leases;
  }

  /** A put up to N of {@code key}, attached to {@code lease} (0: none). */
  void put(ByteString key, long lease, long revision) {
    detach(key);
    if (lease != 0 && !alive.containsKey(lease)) {
      pending.putIfAbsent(lease, revision);
      pendingKeys.computeIfAbsent(lease, id -> new HashSet<>()).add(key);
      keyLease.put(key, lease);
    }
  }

  /** A delete up to N of {@code key}. */
  void deleted(ByteString key) {
    detach(key);
  }

  private void detach(ByteString key) {
    Long lease = keyLease.remove(key);
    if (lease != null) {
      Set<ByteString> keys = pendingKeys.get(lease);
      keys.remove(key);
      if (keys.isEmpty()) {
        resolved(lease);
      }
    }
  }

  private void resolved(long lease) {
    pending.remove(lease);
    Set<ByteString> keys = pendingKeys.remove(lease);
    if (keys != null) {
      keys.forEach(keyLease::remove);
    }
  }

  /** A lease record stamped at or before N. */
  void apply(LeaseRecord record) {
    Set<Long> gone = new HashSet<>(record.gone());
    if (record.full()) {
      alive.keySet().stream().filter(id -> !record.granted().containsKey(id)).forEach(gone::add);
    }
    gone.forEach(id -> {
      alive.remove(id);
      resolved(id);
    });
    record.granted().forEach(this::grant);
  }

  /** A lease record stamped after N: only the grants of pending leases count (the lease was alive at N). */
  void applyAfter(LeaseRecord record) {
    record.granted().forEach((id, ttl) -> {
      if (pending.containsKey(id)) {
        grant(id, ttl);
      }
    });
  }

  boolean pending() {
    return !pending.isEmpty();
  }

  private void grant(long id, long ttl) {
    alive.computeIfAbsent(id, i -> lease(i, ttl));
    resolved(id);
  }

  /** The bucket's pairs; a lease still pending is a refusal. */
  SortedMap<byte[], byte[]> bucket() throws IOException {
    if (!pending.isEmpty()) {
      Map.Entry<Long, Long> first = pending.entrySet().iterator().next();
      throw new IOException("revision " + first.getValue() + " attaches a key to lease "
          + Long.toHexString(first.getKey()) + ", which the journal never saw granted (granted and gone between two"
          + " of its polls of etcd's leases, or while they failed), so etcd would start with the key unattached:"
          + " restore to a revision before " + first.getValue() + ", or from a newer snapshot");
    }
    SortedMap<byte[], byte[]> pairs = new TreeMap<>(Arrays::compareUnsigned);
    alive.forEach((id, value) -> pairs.put(Backend.bigEndian(id), value));
    return pairs;
  }

  /** leasepb.Lease {int64 ID = 1; int64 TTL = 2}. */
  private static byte[] lease(long id, long ttl) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeInt64(1, id);
      out.writeInt64(2, ttl);
      out.flush();
    } catch (IOException e) {
      throw new IllegalStateException("encoding into memory cannot fail", e);
    }
    return bytes.toByteArray();
  }
}
