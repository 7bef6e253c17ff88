package io.etcdsnapshotter.e2e.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes the history a real cluster has: many keys of varied sizes, keys bound to a lease, overwritten and deleted
 * keys, and a compaction behind it all. Values are random bytes, so no test ever depends on compression.
 */
public final class DataSeeder {
  private static final int BATCH = 100; // below etcd's default --max-txn-ops of 128
  private static final long SECONDS = 120;

  private DataSeeder() {}

  /** What was written: the keys a snapshot must hold, and the revision compacted away below. */
  public record Seeded(long liveKeys, long compactedRevision, long revision) {}

  public static Seeded seed(EtcdCluster cluster, String prefix, int keys) {
    try (Client client = cluster.client()) {
      KV kv = client.getKVClient();
      Random random = new Random(prefix.hashCode());
      List<Op> puts = new ArrayList<>();
      for (int i = 0; i < keys; i++) {
        puts.add(put(key(prefix, "key", i), random, valueSize(i), PutOption.DEFAULT));
      }
      commitInBatches(kv, puts);
      long lease = get(client.getLeaseClient().grant(3600)).getID();
      List<Op> leased = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        leased.add(put(key(prefix, "leased", i), random, 64, PutOption.builder().withLeaseId(lease).build()));
      }
      commitInBatches(kv, leased);
      List<Op> overwrites = new ArrayList<>();
      for (int i = 0; i < keys; i += 10) {
        overwrites.add(put(key(prefix, "key", i), random, valueSize(i + 1), PutOption.DEFAULT));
      }
      commitInBatches(kv, overwrites);
      // Separate from the overwrites: etcd rejects a txn that both puts and deletes one key.
      List<Op> deletes = new ArrayList<>();
      for (int i = 3; i < keys; i += 7) {
        deletes.add(Op.delete(key(prefix, "key", i), DeleteOption.DEFAULT));
      }
      long compacted = commitInBatches(kv, deletes);
      get(kv.compact(compacted, CompactOption.builder().withCompactPhysical(true).build()));
      long revision = get(kv.put(key(prefix, "after-compaction", 0), bytes(random, 100))).getHeader()
          .getRevision();
      return new Seeded(keys - deletes.size() + 100 + 1, compacted, revision);
    }
  }

  /**
   * Fills the cluster with {@code megabytes} values of 1 MiB each (etcd's default request limit is 1.5 MiB), for
   * snapshots big enough to be interrupted while they stream.
   */
  public static void fill(EtcdCluster cluster, String prefix, int megabytes) {
    try (Client client = cluster.client()) {
      Random random = new Random(megabytes);
      List<CompletableFuture<?>> inFlight = new ArrayList<>();
      for (int i = 0; i < megabytes; i++) {
        inFlight.add(client.getKVClient().put(key(prefix, "big", i), bytes(random, 1 << 20)));
        if (inFlight.size() == 4) {
          inFlight.forEach(DataSeeder::get);
          inFlight.clear();
        }
      }
      inFlight.forEach(DataSeeder::get);
    }
  }

  /** Sizes from a few bytes to about 20 KB, so the database gets small leaves and overflow pages alike. */
  private static int valueSize(int i) {
    return i % 500 == 0 ? 20_000 : 1 + (i * 37) % 2_000;
  }

  private static long commitInBatches(KV kv, List<Op> ops) {
    long revision = 0;
    for (int from = 0; from < ops.size(); from += BATCH) {
      Op[] batch = ops.subList(from, Math.min(ops.size(), from + BATCH)).toArray(Op[]::new);
      revision = get(kv.txn().Then(batch).commit()).getHeader().getRevision();
    }
    return revision;
  }

  private static Op put(ByteSequence key, Random random, int size, PutOption option) {
    return Op.put(key, bytes(random, size), option);
  }

  private static ByteSequence key(String prefix, String kind, int i) {
    return ByteSequence.from(String.format("/%s/%s/%06d", prefix, kind, i), StandardCharsets.UTF_8);
  }

  private static ByteSequence bytes(Random random, int size) {
    byte[] value = new byte[size];
    random.nextBytes(value);
    return ByteSequence.from(value);
  }

  private static <T> T get(CompletableFuture<T> future) {
    try {
      return future.get(SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while seeding", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("seeding etcd failed: " + e, e);
    }
  }
}
