package io.etcdsnapshotter.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdsnapshotter.UsageException;
import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.bolt.BoltWriter;
import io.etcdsnapshotter.bolt.BucketScanVisitor;
import io.etcdsnapshotter.bolt.MetaPage;
import io.etcdsnapshotter.bolt.ScanSummary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restores of etcd-shaped snapshots (written with BoltWriter plus etcd's SHA-256 trailer), read back natively. */
class DataDirRestoreTest {
  private static final String OLD_MEMBER = "badf33af0b762481";

  @TempDir Path dir;

  @Test
  void keepsEveryBucketButReplacesMembershipAndIndexes() throws Exception {
    Path snapshot = snapshot(source(), true);
    RestoreResult result = DataDirRestore.run(request(snapshot, dir.resolve("data"), 0));

    Map<String, Map<String, byte[]>> restored = readAll(dir.resolve("data/member/snap/db"));
    Map<String, Map<String, byte[]>> expected = source();
    Cluster cluster = ClusterTest.three();
    expected.put("members", new TreeMap<>());
    cluster.members().forEach(m -> expected.get("members").put(m.hexId(), utf8(m.json())));
    expected.put("members_removed", new TreeMap<>());
    expected.put("cluster", new TreeMap<>());
    expected.get("meta").put("consistent_index", ByteBuffer.allocate(8).putLong(3).array());
    expected.get("meta").put("term", ByteBuffer.allocate(8).putLong(1).array());
    assertThat(hex(restored)).isEqualTo(hex(expected));
    assertThat(result.status().revision()).isEqualTo(2_001);
    assertThat(result.cluster()).isEqualTo(cluster);
    assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("data",
        "snap.db");
    assertThat(mode(dir.resolve("data"))).isEqualTo("rwx------");
    assertThat(mode(dir.resolve("data/member/snap/db"))).isEqualTo("rw-------");
  }

  @Test
  void bumpAddsAnEmptyRevisionAboveTheLatestAndSchedulesItsCompaction() throws Exception {
    RestoreResult result = DataDirRestore.run(request(snapshot(source(), true), dir.resolve("data"), 1_000_000));

    Map<String, Map<String, byte[]>> restored = readAll(dir.resolve("data/member/snap/db"));
    String bumped = key(revision(2_001 + 1_000_000, false));
    assertThat(restored.get("key")).containsEntry(bumped, new byte[0]).hasSize(source().get("key").size() + 1);
    assertThat(restored.get("meta").get("scheduledCompactRev")).isEqualTo(revision(1_002_001, false));
    assertThat(result.status().revision()).isEqualTo(1_002_001);
  }

  /**
   * The restored db is the snapshot's pages plus a new path down the right edge of the key tree: with 1 KiB pages and
   * 30,000 revisions that tree has two levels of branches above its leaves, all of which the bump must copy.
   */
  @Test
  void bumpAppendsThroughEveryLevelOfADeepKeyTree() throws Exception {
    Map<String, Map<String, byte[]>> source = deepKeyTree();
    DataDirRestore.run(request(snapshot(source, true, 1024), dir.resolve("data"), 5));

    Map<String, byte[]> expected = new TreeMap<>(source.get("key"));
    expected.put(key(revision(30_006, false)), new byte[0]);
    assertThat(hex(readAll(dir.resolve("data/member/snap/db"))).get("key"))
        .isEqualTo(hex(Map.of("key", expected)).get("key"));
  }

  /**
   * The restored db lists its free pages (the snapshot's old root, replaced buckets and the bump's old path) in a
   * freelist, so etcd need not read every page of it to find them when it opens it; every page is then either in
   * use or listed, never both, as the read-back checks. A db restored so restores again, its freelist freed too.
   */
  @Test
  void theRestoredDbListsItsFreePagesAndRestoresAgain() throws Exception {
    Map<String, Map<String, byte[]>> source = deepKeyTree();
    DataDirRestore.run(request(snapshot(source, true, 1024), dir.resolve("data"), 5));
    Path db = dir.resolve("data/member/snap/db");
    long listed = assertFreelistAccountsForEveryPage(db);
    assertThat(listed).as("the old root and the key path of 3 levels").isGreaterThanOrEqualTo(4);

    DataDirRestore.run(new RestoreRequest(db, dir.resolve("again"), null, ClusterTest.three(), true, 0, false, null));
    Path again = dir.resolve("again/member/snap/db");
    assertThat(assertFreelistAccountsForEveryPage(again)).as("the first freelist is free in the second")
        .isGreaterThan(listed);
    assertThat(hex(readAll(again)).get("key")).isEqualTo(hex(readAll(db)).get("key"));
  }

  /** Returns the free pages the freelist of {@code db} lists, once a full scan found each page used or listed. */
  private static long assertFreelistAccountsForEveryPage(Path db) throws IOException {
    try (BoltFile bolt = BoltFile.open(db)) {
      assertThat(bolt.meta().freelist()).isNotEqualTo(MetaPage.NO_FREELIST);
      ScanSummary scan = bolt.scan(new BucketScanVisitor() {
        @Override
        public void bucket(ByteBuffer name) {}

        @Override
        public void keyValue(ByteBuffer key, ByteBuffer value) {}
      });
      assertThat(scan.reachablePages() + scan.freePages() + 2).isEqualTo(bolt.pageCount());
      return scan.freePages();
    }
  }

  /** A key bucket small enough to live inside the root page is rewritten as one, with the bump. */
  @Test
  void bumpAppendsToAnInlineKeyBucket() throws Exception {
    Map<String, Map<String, byte[]>> source = source();
    source.get("key").clear();
    source.get("key").put(key(revision(7, false)), utf8("v"));
    DataDirRestore.run(request(snapshot(source, true), dir.resolve("data"), 100));

    assertThat(hex(readAll(dir.resolve("data/member/snap/db"))).get("key")).containsOnlyKeys(
        HexFormat.of().formatHex(revision(7, false)), HexFormat.of().formatHex(revision(107, false)));
  }

  /** The buckets etcd needs are created when a snapshot lacks them, the key bucket with its bump. */
  @Test
  void missingBucketsAreCreated() throws Exception {
    Map<String, Map<String, byte[]>> source = source();
    source.remove("key");
    source.remove("members_removed");
    DataDirRestore.run(request(snapshot(source, true), dir.resolve("data"), 3));

    Map<String, Map<String, byte[]>> restored = readAll(dir.resolve("data/member/snap/db"));
    assertThat(restored).containsKeys("cluster", "key", "members", "members_removed", "meta");
    assertThat(hex(restored).get("key")).containsOnlyKeys(HexFormat.of().formatHex(revision(3, false)));
    assertThat(restored.get("members_removed")).isEmpty();
  }

  @Test
  void emptyWalDirIsFilledInPlace() throws Exception {
    Files.createDirectory(dir.resolve("wal"));
    RestoreRequest request = new RestoreRequest(snapshot(source(), true), dir.resolve("data"), dir.resolve("wal"),
        ClusterTest.three(), false, 0, false, null);
    DataDirRestore.run(request);
    assertThat(Files.list(dir.resolve("wal")).map(p -> p.getFileName().toString())).containsExactly(WalFile.NAME);
  }

  /** arm64 and ppc64le hosts may run etcd with 16 or 64 KiB pages; the restored db keeps the snapshot's. */
  @Test
  void sourcePageSizeIsKept() throws Exception {
    DataDirRestore.run(request(snapshot(source(), true, 65536), dir.resolve("data"), 0));
    try (BoltFile restored = BoltFile.open(dir.resolve("data/member/snap/db"))) {
      assertThat(restored.pageSize()).isEqualTo(65536);
    }
    assertThat(hex(readAll(dir.resolve("data/member/snap/db"))).get("key")).isEqualTo(hex(source()).get("key"));
  }

  @Test
  void walDirCanBeSeparate() throws Exception {
    RestoreRequest request = new RestoreRequest(snapshot(source(), true), dir.resolve("data"), dir.resolve("wal"),
        ClusterTest.three(), false, 0, false, null);
    DataDirRestore.run(request);
    assertThat(dir.resolve("wal").resolve(WalFile.NAME)).hasSize(WalFile.SEGMENT_SIZE);
    assertThat(dir.resolve("data/member/wal")).doesNotExist();
  }

  @Test
  void overlappingWalDirOrOverflowingBumpIsRefused() throws Exception {
    Path snapshot = snapshot(source(), true);
    assertThatThrownBy(() -> DataDirRestore.run(new RestoreRequest(snapshot, dir.resolve("data"),
        dir.resolve("data/member/wal"), ClusterTest.three(), false, 0, false, null)))
        .isInstanceOf(UsageException.class).hasMessageContaining("overlap");
    assertThatThrownBy(() -> DataDirRestore.run(request(snapshot, dir.resolve("data"), Long.MAX_VALUE - 10)))
        .isInstanceOf(IOException.class).hasMessageContaining("past 2^63-1");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void dryRunLeavesNothing() throws Exception {
    RestoreRequest request = new RestoreRequest(snapshot(source(), true), dir.resolve("data"), null,
        ClusterTest.three(), false, 0, true, null);
    assertThat(DataDirRestore.run(request).status().totalKey()).isPositive();
    assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly("snap.db");
  }

  @Test
  void emptyTargetDirIsFilledButNonEmptyIsRefused() throws Exception {
    Path snapshot = snapshot(source(), true);
    Path empty = Files.createDirectory(dir.resolve("empty"));
    Object identity = Files.readAttributes(empty, BasicFileAttributes.class).fileKey();
    Path truncated = Files.write(dir.resolve("truncated.db"), Arrays.copyOf(Files.readAllBytes(snapshot), 8192));
    assertThatThrownBy(() -> DataDirRestore.run(request(truncated, empty, 0))).isInstanceOf(IOException.class);
    assertThat(Files.list(empty)).isEmpty();
    DataDirRestore.run(request(snapshot, empty, 0));
    assertThat(Files.list(empty).map(p -> p.getFileName().toString())).containsExactly("member");
    assertThat(empty.resolve("member/snap/db")).exists();
    // filled in place, not replaced: an empty target may be a mount point
    assertThat(Files.readAttributes(empty, BasicFileAttributes.class).fileKey()).isEqualTo(identity);
    assertThatThrownBy(() -> DataDirRestore.run(request(snapshot, dir.resolve("empty"), 0)))
        .isInstanceOf(UsageException.class).hasMessageContaining("not an empty directory");
  }

  @Test
  void whatAKilledRestoreLeftIsDeletedByTheNextOne() throws Exception {
    Path snapshot = snapshot(source(), true);
    // A SIGKILL mid-restore leaves its scratch dir: beside an absent target, or inside an empty one.
    Path beside = Files.createDirectories(dir.resolve(".data.restore-123/member/snap"));
    Files.writeString(beside.resolve("db"), "every secret");
    Path mount = Files.createDirectory(dir.resolve("mount"));
    Files.createDirectories(mount.resolve(".restore-456/member/snap"));
    Path unrelated = Files.createDirectory(dir.resolve(".database.restore-7"));

    DataDirRestore.run(request(snapshot, dir.resolve("data"), 0));
    DataDirRestore.run(request(snapshot, mount, 0));

    assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder("snap.db", "data", "mount", unrelated.getFileName().toString());
    assertThat(Files.list(mount).map(p -> p.getFileName().toString())).containsExactly("member");
    assertThat(dir.resolve("data/member/snap/db")).exists();
  }

  @Test
  void aTargetAnotherRestoreHoldsIsRefusedAndItsScratchLeftAlone() throws Exception {
    Path snapshot = snapshot(source(), true);
    Path data = dir.resolve("data");
    try (TargetLock running = TargetLock.claim(data, "--data-dir")) {
      Path live = Files.createDirectory(dir.resolve(".data.restore-live"));
      assertThatThrownBy(() -> DataDirRestore.run(request(snapshot, data, 0)))
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith("another restore into " + data + " is running (pid " + ProcessHandle.current().pid())
          .hasMessageEndingWith("; wait for it to finish, then run again");
      assertThat(live).exists();
      assertThat(data).doesNotExist();
    }
    DataDirRestore.run(request(snapshot, data, 0));
    // the lock file goes with the lock, and the dead restore's scratch with the next restore
    assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("snap.db", "data");
  }

  @Test
  void damagedSnapshotsFailWithOneLineAndLeaveNothing() throws Exception {
    byte[] good = Files.readAllBytes(snapshot(source(), true));
    byte[] flipped = good.clone();
    flipped[good.length / 2] ^= 0x40;
    byte[] random = new byte[good.length];
    new Random(7).nextBytes(random);
    Map<String, byte[]> bad = new LinkedHashMap<>();
    bad.put("flipped", flipped);
    bad.put("truncated", Arrays.copyOf(good, good.length - 4096));
    bad.put("empty", new byte[0]);
    bad.put("random", random);
    bad.put("no-trailer", Arrays.copyOf(good, good.length - 32));
    for (Map.Entry<String, byte[]> input : bad.entrySet()) {
      Path file = dir.resolve(input.getKey() + ".db");
      Files.write(file, input.getValue());
      assertThatThrownBy(() -> DataDirRestore.run(request(file, dir.resolve("out"), 0)))
          .as(input.getKey()).isInstanceOf(IOException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").contains(file.toString()));
      assertThat(dir.resolve("out")).as(input.getKey()).doesNotExist();
      assertThat(Files.list(dir).filter(p -> p.getFileName().toString().startsWith(".out"))).isEmpty();
    }
  }

  @Test
  void skipHashCheckRestoresADbWithoutTrailerButStillChecksStructure() throws Exception {
    Path raw = snapshot(source(), false);
    DataDirRestore.run(new RestoreRequest(raw, dir.resolve("data"), null, ClusterTest.three(), true, 0, false, null));
    assertThat(hex(readAll(dir.resolve("data/member/snap/db"))).get("key")).isEqualTo(hex(source()).get("key"));

    byte[] damaged = Files.readAllBytes(raw);
    ByteBuffer.wrap(damaged).putLong(3 * 4096 + 8, 0x0007_0000_0000L);
    Path bad = Files.write(dir.resolve("bad.db"), damaged);
    assertThatThrownBy(() -> DataDirRestore.run(new RestoreRequest(bad, dir.resolve("out"), null,
        ClusterTest.three(), true, 0, false, null))).isInstanceOf(IOException.class);
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void everyStorageVersionIsRestoredAndKept() throws Exception {
    for (String version : List.of("3.5", "3.6.0", "3.7.0")) {
      Map<String, Map<String, byte[]>> source = source();
      source.get("meta").put("storageVersion", utf8(version));
      source.put("cluster", new TreeMap<>(Map.of("clusterVersion", utf8(version))));
      Path data = dir.resolve("data-" + version);
      RestoreResult result = DataDirRestore.run(request(snapshot(source, true), data, 0));
      assertThat(readAll(data.resolve("member/snap/db")).get("meta").get("storageVersion")).isEqualTo(utf8(version));
      assertThat(result.describe()).contains("storage version " + EtcdRelease.parse(version).orElseThrow());
    }
  }

  @Test
  void aServerThatWouldRefuseTheSnapshotIsNamedBeforeAnythingIsWritten() throws Exception {
    Map<String, Map<String, byte[]>> storage37 = source();
    storage37.get("meta").put("storageVersion", utf8("3.7.0"));
    assertRefused(snapshot(storage37, true), "3.6.16", "storage version is 3.7.0", "etcd 3.6.16 refuses",
        "etcd 3.7 or newer");
    Map<String, Map<String, byte[]>> cluster37 = source();
    cluster37.put("cluster", new TreeMap<>(Map.of("clusterVersion", utf8("3.7.0"))));
    assertRefused(snapshot(cluster37, true), "3.6", "cluster version is 3.7.0", "invalid downgrade");
    Map<String, Map<String, byte[]>> storage36 = source();
    storage36.get("meta").put("storageVersion", utf8("3.6.0"));
    assertRefused(snapshot(storage36, true), "3.4.31", "storage version is 3.6.0", "etcd 3.6 or newer");
  }

  @Test
  void aServerThatStartsTheSnapshotIsAccepted() throws Exception {
    Map<String, Map<String, byte[]>> storage36 = source();
    storage36.get("meta").put("storageVersion", utf8("3.6.0"));
    Path snapshot = snapshot(storage36, true);
    for (String server : List.of("3.7.3", "3.6.0", "3.5.35", "3.4.23")) {
      DataDirRestore.run(new RestoreRequest(snapshot, dir.resolve(server), null, ClusterTest.three(), false, 0,
          false, EtcdRelease.parse(server).orElseThrow()));
      assertThat(dir.resolve(server).resolve("member/wal")).as(server).isDirectory();
    }
  }

  @Test
  void aStorageVersionThatIsNoVersionIsRefused() throws Exception {
    Map<String, Map<String, byte[]>> source = source();
    source.get("meta").put("storageVersion", utf8("banana"));
    assertThatThrownBy(() -> DataDirRestore.run(request(snapshot(source, true), dir.resolve("out"), 0)))
        .hasMessageContainingAll("storage version", "'banana' is not a version");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void olderVersionsAreRestored() throws Exception {
    Map<String, Map<String, byte[]>> source = source();
    source.get("meta").put("storageVersion", utf8("3.5"));
    source.put("cluster", new TreeMap<>(Map.of("clusterVersion", utf8("3.4.0"))));
    DataDirRestore.run(request(snapshot(source, true), dir.resolve("data"), 0));
    assertThat(readAll(dir.resolve("data/member/snap/db")).get("cluster")).containsKey("clusterVersion");
  }

  private void assertRefused(Path snapshot, String server, String... message) {
    assertThatThrownBy(() -> DataDirRestore.run(new RestoreRequest(snapshot, dir.resolve("out"), null,
        ClusterTest.three(), false, 0, false, EtcdRelease.parse(server).orElseThrow())))
        .hasMessageContainingAll(message).hasMessageNotContaining("\n");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  /** The source with 30,000 revisions: in 1 KiB pages, two levels of branches above the key tree's leaves. */
  private static Map<String, Map<String, byte[]>> deepKeyTree() {
    Map<String, Map<String, byte[]>> source = source();
    source.get("key").clear();
    for (int rev = 2; rev <= 30_001; rev++) {
      source.get("key").put(key(revision(rev, false)), new byte[] {(byte) rev});
    }
    return source;
  }

  private static RestoreRequest request(Path snapshot, Path dataDir, long bump) {
    return new RestoreRequest(snapshot, dataDir, null, ClusterTest.three(), false, bump, false, null);
  }

  /** An etcd 3.5-like backend: 2,000 revisions with a tombstone, old members, auth, leases, a term and index. */
  private static Map<String, Map<String, byte[]>> source() {
    Map<String, Map<String, byte[]>> buckets = new TreeMap<>();
    for (String bucket : List.of("alarm", "auth", "authRoles", "authUsers", "key", "lease", "members",
        "members_removed", "meta")) {
      buckets.put(bucket, new TreeMap<>());
    }
    Random random = new Random(1);
    for (int rev = 2; rev <= 2_001; rev++) {
      byte[] value = new byte[rev % 500 == 0 ? 70_000 : random.nextInt(200)];
      random.nextBytes(value);
      buckets.get("key").put(key(revision(rev, rev == 2_001)), value);
    }
    buckets.get("auth").put("authEnabled", new byte[] {1});
    buckets.get("lease").put(key(ByteBuffer.allocate(8).putLong(0x694d7c0e1a2b3c4dL).array()), new byte[] {8, 1});
    buckets.get("members").put(OLD_MEMBER, utf8("{\"id\":13474328155640423553,\"peerURLs\":[\"http://old:2380\"]}"));
    buckets.get("members_removed").put("1234", utf8("removed"));
    buckets.get("meta").put("consistent_index", ByteBuffer.allocate(8).putLong(50_000).array());
    buckets.get("meta").put("term", ByteBuffer.allocate(8).putLong(9).array());
    buckets.get("meta").put("confState", utf8("{\"voters\":[1],\"auto_leave\":false}"));
    return buckets;
  }

  private Path snapshot(Map<String, Map<String, byte[]>> buckets, boolean trailer) throws Exception {
    return snapshot(buckets, trailer, 4096);
  }

  private Path snapshot(Map<String, Map<String, byte[]>> buckets, boolean trailer, int pageSize) throws Exception {
    Path file = dir.resolve("snap.db");
    Files.deleteIfExists(file);
    try (BoltWriter db = BoltWriter.create(file, pageSize)) {
      for (Map.Entry<String, Map<String, byte[]>> bucket : buckets.entrySet()) {
        db.beginBucket(utf8(bucket.getKey()));
        for (Map.Entry<String, byte[]> kv : bucket.getValue().entrySet()) {
          db.put(bytesOf(kv.getKey()), kv.getValue());
        }
        db.endBucket();
      }
      db.finish();
    }
    if (trailer) {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
      Files.write(file, digest, StandardOpenOption.APPEND);
    }
    return file;
  }

  private static Map<String, Map<String, byte[]>> readAll(Path db) throws IOException {
    Map<String, Map<String, byte[]>> all = new TreeMap<>();
    try (BoltFile bolt = BoltFile.open(db)) {
      for (byte[] name : bolt.bucketNames()) {
        Map<String, byte[]> bucket = new TreeMap<>();
        bolt.forEach(name, (k, v) -> bucket.put(key(k), v));
        all.put(new String(name, StandardCharsets.UTF_8), bucket);
      }
    }
    return all;
  }

  private static Map<String, Map<String, String>> hex(Map<String, Map<String, byte[]>> buckets) {
    Map<String, Map<String, String>> hex = new TreeMap<>();
    buckets.forEach((name, kvs) -> {
      Map<String, String> values = new TreeMap<>();
      kvs.forEach((k, v) -> values.put(HexFormat.of().formatHex(bytesOf(k)), HexFormat.of().formatHex(v)));
      hex.put(name, values);
    });
    return hex;
  }

  private static byte[] revision(long main, boolean tombstone) {
    ByteBuffer key = ByteBuffer.allocate(tombstone ? 18 : 17).putLong(main).put((byte) '_').putLong(0);
    return tombstone ? key.put((byte) 't').array() : key.array();
  }

  /** Binary keys as ISO-8859-1 strings: one char per byte, so string order is byte order. */
  private static String key(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static byte[] bytesOf(String key) {
    return key.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
