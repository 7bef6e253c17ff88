package io.etcdsnapshotter.e2e.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcdsnapshotter.e2e.etcd.DataSeeder;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Keyspace;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.etcd.SnapshotTool;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.Processes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A snapshot of a real cluster (auth on, leases, deletes, a compaction), taken with our {@code snapshot} command,
 * restored with our {@code restore} command, served by real etcd of every release: the restored cluster must hold
 * exactly what the source held (keys, leases, {@code endpoint hashkv}), accept writes, survive a restart, and have the
 * identity etcd's own restore would give it; a newer etcd starts from an older snapshot, and an older etcd's refusal
 * of a newer one comes before anything is written.
 */
class RestoreEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(EtcdVersion.class)
  void threeRestoredMembersServeExactlyTheSource(EtcdVersion version) throws Exception {
    Source source = snapshotOfSeededCluster(version, 10_000);
    List<RestoredCluster.Node> nodes = RestoredCluster.plan(dir, 3);
    for (RestoredCluster.Node node : nodes) {
      assertThat(restore(source.snapshot(), node, nodes).exitCode()).isZero();
      assertSameIdentityAsEtcdsRestore(version, source.snapshot(), node, nodes);
    }
    try (RestoredCluster restored = RestoredCluster.start(version, nodes, dir);
        Client client = restored.client()) {
      assertThat(Keyspace.dump(client)).isEqualTo(source.keys());
      assertThat(leases(restored.etcdctl(nodes.get(1)).ok("lease", "list")))
          .isNotEmpty().isEqualTo(source.leases());
      for (RestoredCluster.Node node : nodes) {
        assertThat(restored.etcdctl(node).hashKv(source.revision())).as("hashkv of " + node.name())
            .isEqualTo(source.hashKv());
      }
      long revision = client.getKVClient().put(bytes("/after/restore"), bytes("ok")).get(60, TimeUnit.SECONDS)
          .getHeader().getRevision();
      assertThat(revision).isEqualTo(source.revision() + 1);

      restored.restart();
      Map<String, String> afterRestart = Keyspace.dump(client);
      assertThat(afterRestart).containsEntry("/after/restore", "ok|" + revision + "|" + revision + "|1|0")
          .hasSize(source.keys().size() + 1);
      Path fresh = dir.resolve("fresh.db");
      restored.etcdctl(nodes.get(0)).saveSnapshot(fresh);
      assertThat(new SnapshotTool(version).statusJson(fresh).get("revision").asLong()).isEqualTo(revision);
    }
  }

  /** One member, as most restores of a small control plane are; the bump is what Kubernetes watch caches need. */
  @ParameterizedTest
  @EnumSource(EtcdVersion.class)
  void bumpedRevisionCompactsEverythingBelowIt(EtcdVersion version) throws Exception {
    Source source = snapshotOfSeededCluster(version, 200);
    List<RestoredCluster.Node> nodes = RestoredCluster.plan(dir, 1);
    assertThat(restore(source.snapshot(), nodes.get(0), nodes, "--bump-revision", "1000000", "--mark-compacted")
        .exitCode()).isZero();
    try (RestoredCluster restored = RestoredCluster.start(version, nodes, dir);
        Client client = restored.client()) {
      assertThat(Keyspace.dump(client)).isEqualTo(source.keys());
      long revision = client.getKVClient().put(bytes("/after/bump"), bytes("ok")).get(60, TimeUnit.SECONDS)
          .getHeader().getRevision();
      assertThat(revision).isEqualTo(source.revision() + 1_000_000 + 1);
      assertThat(watchError(client, source.revision())).contains("compacted");
    }
  }

  /**
   * The restored db lists its free pages for etcd. Past 65,535 of them (here the pages of 300 MiB of values deleted
   * and compacted away) the list takes bbolt's long form, the count ahead of the ids: etcd of both bbolt generations
   * opens it, serves what the snapshot held and takes writes.
   */
  @ParameterizedTest
  @EnumSource(value = EtcdVersion.class, names = {"V3_4", "V3_6"})
  void aDbWithMoreFreePagesThanAPageHeaderCountsStartsOnEtcd(EtcdVersion version) throws Exception {
    Path snapshot = dir.resolve("freed.db");
    try (EtcdCluster cluster = EtcdCluster.start(version, 1, Security.AUTH)) {
      DataSeeder.fill(cluster, "freed", 300);
      cluster.etcdctl().ok("del", "--prefix", "/freed/");
      cluster.etcdctl().ok("compact", String.valueOf(cluster.etcdctl().revision()), "--physical");
      cluster.etcdctl().ok("put", "/kept", "yes");
      cluster.etcdctl().saveSnapshot(snapshot);
    }
    List<RestoredCluster.Node> nodes = RestoredCluster.plan(dir, 1);
    ProcessResult restored = restore(snapshot, nodes.get(0), nodes);
    assertThat(restored.exitCode()).as(restored.toString()).isZero();
    Path db = nodes.get(0).dataDir().resolve("member/snap/db");
    assertThat(freelistPage(db)).as("the newer meta page's freelist").isNotEqualTo(-1L);
    ProcessResult verified = Jar.run("verify", db.toString());
    Matcher free = Pattern.compile("(\\d+) free").matcher(verified.stdout());
    assertThat(free.find()).as(verified.toString()).isTrue();
    assertThat(Long.parseLong(free.group(1))).isGreaterThan(0xFFFF);
    try (RestoredCluster cluster = RestoredCluster.start(version, nodes, dir);
        Client client = cluster.client()) {
      assertThat(cluster.etcdctl(nodes.get(0)).ok("get", "--print-value-only", "/kept")).isEqualTo("yes\n");
      assertThat(client.getKVClient().put(bytes("/after/restore"), bytes("ok")).get(60, TimeUnit.SECONDS)
          .getHeader().getRevision()).isGreaterThan(0);
    }
  }

  /**
   * The freelist field of the meta page with the higher txid, read as bbolt lays it out (-1 when the db lists none):
   * pages 0 and 1 of 4 KiB, each a 16-byte page header then the meta, whose freelist and txid are at 32 and 48.
   */
  private static long freelistPage(Path db) throws Exception {
    int page = 4096;
    int freelistAt = 16 + 32;
    int txidAt = 16 + 48;
    ByteBuffer metas = ByteBuffer.allocate(2 * page).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel file = FileChannel.open(db)) {
      while (metas.hasRemaining() && file.read(metas) >= 0) {
        // a file channel may return fewer bytes than asked
      }
    }
    int newer = metas.getLong(txidAt) > metas.getLong(page + txidAt) ? 0 : page;
    return metas.getLong(newer + freelistAt);
  }

  /** The upgrade path: a cluster backed up on etcd 3.5 comes back on the 3.6 that Kubernetes 1.34+ runs. */
  @Test
  void aSnapshotOfEtcd35StartsOnEtcd36() throws Exception {
    Source source = snapshotOfSeededCluster(EtcdVersion.V3_5, 200);
    List<RestoredCluster.Node> nodes = RestoredCluster.plan(dir, 1);
    ProcessResult restored = restore(source.snapshot(), nodes.get(0), nodes, "--etcd-version", "3.6.16",
        "--bump-revision", "1000", "--mark-compacted");
    assertThat(restored.exitCode()).as(restored.toString()).isZero();
    assertThat(restored.stdout()).contains("no storage version (etcd 3.4 or newer)");
    try (RestoredCluster cluster = RestoredCluster.start(EtcdVersion.V3_6, nodes, dir);
        Client client = cluster.client()) {
      assertThat(Keyspace.dump(client)).isEqualTo(source.keys());
      assertThat(client.getKVClient().put(bytes("/after/upgrade"), bytes("ok")).get(60, TimeUnit.SECONDS)
          .getHeader().getRevision()).isEqualTo(source.revision() + 1000 + 1);
    }
  }

  /**
   * A 3.7 snapshot for a 3.6 server: told the server, restore refuses in one line and writes nothing; not told, the
   * data dir is written and etcd 3.6 itself refuses to start from it, as it would from etcdutl's.
   */
  @Test
  void aSnapshotOfEtcd37IsRefusedForEtcd36() throws Exception {
    Source source = snapshotOfSeededCluster(EtcdVersion.V3_7, 100);
    List<RestoredCluster.Node> nodes = RestoredCluster.plan(dir, 1);
    ProcessResult refused = restore(source.snapshot(), nodes.get(0), nodes, "--etcd-version", "3.6.16");
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.stderrLines()).singleElement().asString()
        .contains("storage version is 3.7.0", "etcd 3.6.16 refuses", "etcd 3.7 or newer");
    assertThat(nodes.get(0).dataDir()).doesNotExist();

    ProcessResult written = restore(source.snapshot(), nodes.get(0), nodes);
    assertThat(written.stdout()).contains("storage version 3.7.0 (etcd 3.7 or newer)");
    assertThatThrownBy(() -> RestoredCluster.start(EtcdVersion.V3_6, nodes, dir).close())
        .hasMessageContaining("exited while starting").hasMessageContaining("not supported");
  }

  @Test
  void badInputIsOneLineAndLeavesNothing() throws Exception {
    Source source = snapshotOfSeededCluster(EtcdVersion.V3_5, 100);
    byte[] flipped = Files.readAllBytes(source.snapshot());
    flipped[flipped.length / 3] ^= 1;
    Path bad = Files.write(dir.resolve("flipped.db"), flipped);
    List<RestoredCluster.Node> nodes = RestoredCluster.plan(dir, 1);
    ProcessResult result = restore(bad, nodes.get(0), nodes);
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.stderrLines()).singleElement().asString().contains("SHA-256");
    assertThat(nodes.get(0).dataDir()).doesNotExist();

    ProcessResult usage = restore(source.snapshot(), nodes.get(0), nodes, "--bump-revision", "5");
    assertThat(usage.exitCode()).isEqualTo(2);
    assertThat(usage.stderrLines()).singleElement().asString().contains("--mark-compacted");
    assertThat(nodes.get(0).dataDir()).doesNotExist();
  }

  /** What a restore must reproduce: every key with its revisions, the leases, and the revision reached. */
  private record Source(Path snapshot, Map<String, String> keys, List<String> leases, long revision, long hashKv) {}

  private Source snapshotOfSeededCluster(EtcdVersion version, int keys) throws Exception {
    try (EtcdCluster cluster = EtcdCluster.start(version, 1, Security.AUTH)) {
      DataSeeder.Seeded seeded = DataSeeder.seed(cluster, "restore", keys);
      DataSeeder.fill(cluster, "restore", 1);
      Path volume = dir.resolve("volume");
      ProcessResult saved = Jar.run("snapshot", "--dir", volume.toString(), "--cluster", "main=" + cluster.endpoints(),
          "--user", EtcdCluster.USER, "--password-file",
          EtcdCluster.writePasswordFile(dir.resolve("password")).toString());
      assertThat(saved.exitCode()).as(saved.toString()).isZero();
      try (Client client = cluster.client()) {
        long revision = client.getKVClient().get(bytes("/")).get(60, TimeUnit.SECONDS).getHeader().getRevision();
        assertThat(revision).isGreaterThan(seeded.compactedRevision());
        return new Source(volume.resolve("snapshot.db"), Keyspace.dump(client), leases(cluster.etcdctl().ok("lease", "list")),
            revision, cluster.etcdctl().hashKv(revision));
      }
    }
  }

  private static ProcessResult restore(Path snapshot, RestoredCluster.Node node, List<RestoredCluster.Node> nodes,
      String... extra) {
    List<String> args = new ArrayList<>(List.of("restore", snapshot.toString(), "--name", node.name(),
        "--data-dir", node.dataDir().toString(), "--initial-cluster", RestoredCluster.initialCluster(nodes),
        "--initial-cluster-token", "restored", "--initial-advertise-peer-urls", node.peerUrl()));
    args.addAll(List.of(extra));
    return Jar.run(args.toArray(String[]::new));
  }

  /** Member and cluster ID live in the WAL's metadata record; ours must be byte for byte the WAL etcd writes. */
  private void assertSameIdentityAsEtcdsRestore(EtcdVersion version, Path snapshot, RestoredCluster.Node node,
      List<RestoredCluster.Node> nodes) throws Exception {
    Path reference = dir.resolve("etcd-" + node.name());
    Processes.run(List.of(version.snapshotTool().toString(), "snapshot", "restore", snapshot.toString(),
        "--name", node.name(), "--data-dir", reference.toString(),
        "--initial-cluster", RestoredCluster.initialCluster(nodes), "--initial-cluster-token", "restored",
        "--initial-advertise-peer-urls", node.peerUrl()), WAIT).orThrow();
    String wal = "member/wal/0000000000000000-0000000000000000.wal";
    byte[] ours = Files.readAllBytes(node.dataDir().resolve(wal));
    byte[] theirs = Files.readAllBytes(reference.resolve(wal));
    assertThat(metadataRecord(ours)).isEqualTo(metadataRecord(theirs));
    // etcd 3.4's final snapshot record lacks the ConfState that 3.5+ (and we) write, and 3.7's protobuf leaves out
    // zero-valued fields we write: 3.5's and 3.6's files are identical to ours.
    if (version == EtcdVersion.V3_5 || version == EtcdVersion.V3_6) {
      assertThat(Arrays.equals(ours, theirs)).as("WAL identical to etcdutl's").isTrue();
    }
  }

  /** The WAL's second frame (after the 16-byte crc frame): NodeID and ClusterID, with its crc. */
  private static String metadataRecord(byte[] wal) {
    long lenField = ByteBuffer.wrap(wal, 16, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return HexFormat.of().formatHex(wal, 24, 24 + (int) (lenField & 0xFFFF));
  }

  /** Lease IDs as etcdctl lists them (jetcd 0.8 has no lease listing). */
  private static List<String> leases(String etcdctlLeaseList) {
    return etcdctlLeaseList.lines().skip(1).map(String::strip).filter(l -> !l.isEmpty()).sorted().toList();
  }

  private static String watchError(Client client, long revision) throws Exception {
    CompletableFuture<String> outcome = new CompletableFuture<>();
    Watch.Listener listener = Watch.listener(
        response -> outcome.complete("event at " + response.getHeader().getRevision()),
        error -> outcome.complete(String.valueOf(error.getMessage())));
    try (Watch.Watcher watcher = client.getWatchClient().watch(bytes("/"),
        WatchOption.builder().isPrefix(true).withRevision(revision).build(), listener)) {
      return outcome.get(60, TimeUnit.SECONDS);
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
