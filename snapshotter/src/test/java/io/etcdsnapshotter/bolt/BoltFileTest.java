package io.etcdsnapshotter.bolt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class BoltFileTest {
  private static final List<String> ETCD_BUCKETS = List.of("alarm", "auth", "authRoles", "authUsers", "cluster",
      "key", "lease", "members", "members_removed", "meta");

  @TempDir Path tmp;

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void readsTheGeometryOfARealSnapshot(String version) throws IOException {
    try (BoltFile bolt = BoltFile.open(SnapshotFixtures.snapshot(version))) {
      assertThat(bolt.pageSize()).isEqualTo(4096);
      assertThat(bolt.dataSize()).isEqualTo(bolt.fileSize() - 32).isEqualTo(bolt.pageCount() * 4096);
      // WriteTo puts the read transaction's meta in page 0 and the one before it in page 1.
      assertThat(bolt.meta().number()).isZero();
      assertThat(bolt.metaPages()).allMatch(MetaPage::valid);
      assertThat(bolt.metaPages().get(1).txid()).isEqualTo(bolt.txid() - 1);
      assertThat(bolt.meta().freelist()).isEqualTo(MetaPage.NO_FREELIST);
    }
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void listsEtcdsBucketsInByteOrder(String version) throws IOException {
    try (BoltFile bolt = BoltFile.open(SnapshotFixtures.snapshot(version))) {
      assertThat(bolt.bucketNames()).map(b -> new String(b, UTF_8)).containsExactlyElementsOf(ETCD_BUCKETS);
    }
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void streamsEveryRevisionInKeyOrderIncludingValuesOnOverflowPages(String version) throws IOException {
    List<byte[]> keys = new ArrayList<>();
    List<Integer> valueSizes = new ArrayList<>();
    try (BoltFile bolt = BoltFile.open(SnapshotFixtures.snapshot(version))) {
      bolt.forEach("key".getBytes(UTF_8), (k, v) -> {
        keys.add(k);
        valueSizes.add(v.length);
      });
    }
    // 20 transactions of 100 puts, 5 large puts, 100 overwrites, the ns3 deletes, then lease and post-compaction
    // puts, less what the compaction removed: the exact count is the fixture's, the order is bbolt's.
    assertThat(keys).hasSizeGreaterThan(2000);
    for (int i = 1; i < keys.size(); i++) {
      assertThat(Arrays.compareUnsigned(keys.get(i - 1), keys.get(i))).isNegative();
    }
    assertThat(keys).allMatch(k -> k.length == 17 || k.length == 18);
    assertThat(valueSizes).anyMatch(size -> size > 60_000);
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void countsTheSamePairsThroughForEachAsThroughAFullScan(String version) throws IOException {
    long[] pairs = {0};
    try (BoltFile bolt = BoltFile.open(SnapshotFixtures.snapshot(version))) {
      for (byte[] bucket : bolt.bucketNames()) {
        bolt.forEach(bucket, (k, v) -> pairs[0]++);
      }
      ScanSummary scan = bolt.scan(new CountingVisitor());
      assertThat(scan.keys()).isEqualTo(pairs[0]);
      assertThat(scan.buckets()).isEqualTo(10);
      assertThat(scan.reachablePages() + scan.freePages() + 2).isEqualTo(bolt.pageCount());
    }
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void getsSingleValuesFromInlineAndPagedBuckets(String version) throws IOException {
    try (BoltFile bolt = BoltFile.open(SnapshotFixtures.snapshot(version))) {
      byte[] index = bolt.get(bytes("meta"), bytes("consistent_index")).orElseThrow();
      assertThat(index).hasSize(8);
      assertThat(ByteBuffer.wrap(index).getLong()).isPositive();
      List<byte[]> keys = new ArrayList<>();
      bolt.forEach(bytes("key"), (k, v) -> keys.add(k));
      for (byte[] key : List.of(keys.get(0), keys.get(keys.size() / 2), keys.get(keys.size() - 1))) {
        assertThat(bolt.get(bytes("key"), key)).isPresent();
      }
      assertThat(bolt.get(bytes("key"), new byte[] {0})).isEmpty();
      assertThat(bolt.get(bytes("no-such-bucket"), bytes("x"))).isEmpty();
      assertThat(bolt.get(bytes("cluster"), bytes("clusterVersion")).map(v -> new String(v, UTF_8)))
          .hasValueSatisfying(v -> assertThat(v).startsWith(version));
    }
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void theLastKeyOfABucketIsTheLastItsWalkYields(String version) throws IOException {
    try (BoltFile bolt = BoltFile.open(SnapshotFixtures.snapshot(version))) {
      for (String bucket : List.of("key", "meta", "members")) {
        List<byte[]> keys = new ArrayList<>();
        bolt.forEach(bytes(bucket), (k, v) -> keys.add(k));
        assertThat(bolt.lastKey(bytes(bucket))).as(bucket).hasValue(keys.get(keys.size() - 1));
      }
      assertThat(bolt.lastKey(bytes("no-such-bucket"))).isEmpty();
    }
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void aMissingBucketYieldsNothing(String version) throws IOException {
    List<byte[]> seen = new ArrayList<>();
    try (BoltFile bolt = BoltFile.open(SnapshotFixtures.snapshot(version))) {
      bolt.forEach(bytes("nope"), (k, v) -> seen.add(k));
    }
    assertThat(seen).isEmpty();
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void readsADbWithoutTrailerTheSameWay(String version) throws IOException {
    Path db = SnapshotFixtures.write(tmp, "db", SnapshotFixtures.db(version));
    try (BoltFile bolt = BoltFile.open(db)) {
      assertThat(bolt.dataSize()).isEqualTo(bolt.fileSize());
      assertThat(bolt.scan(new CountingVisitor()).buckets()).isEqualTo(10);
    }
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void aBranchPointingToItsOwnAncestorIsReportedNotLoopedOn(String version) throws IOException {
    byte[] file = SnapshotFixtures.db(version);
    long branch = keyTreeRoot(file);
    SnapshotFixtures.littleEndian(file).putLong(SnapshotFixtures.branchChildOffset(branch, 1), branch);
    assertThatScanOf(file).hasMessageContaining("page " + branch + " ").hasMessageContaining("more than once");
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void aChildBeyondTheHighWaterMarkIsReported(String version) throws IOException {
    byte[] file = SnapshotFixtures.db(version);
    long branch = keyTreeRoot(file);
    SnapshotFixtures.littleEndian(file).putLong(SnapshotFixtures.branchChildOffset(branch, 0), 1L << 40);
    assertThatScanOf(file)
        .hasMessageContaining("page " + branch + " (offset " + branch * 4096L + ")")
        .hasMessageContaining("outside the data pages");
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void swappedLeafKeysAreReportedAsOutOfOrder(String version) throws IOException {
    byte[] file = SnapshotFixtures.db(version);
    long leaf = firstRevisionLeaf(file);
    // The first 8 key bytes are the big-endian main revision: raising the first key's breaks the order.
    int firstKey = (int) (leaf * 4096 + 16 + SnapshotFixtures.littleEndian(file).getInt((int) leaf * 4096 + 16 + 4));
    file[firstKey] = 0x7f;
    assertThatScanOf(file)
        .hasMessageContaining("page " + leaf + " ")
        .hasMessageContaining("is not greater than the key before it");
  }

  private AbstractThrowableAssert<?, ?> assertThatScanOf(byte[] file) throws IOException {
    try (BoltFile bolt = BoltFile.open(SnapshotFixtures.write(tmp, "db", file))) {
      return assertThatThrownBy(() -> bolt.scan(new CountingVisitor())).isInstanceOf(BoltFormatException.class);
    }
  }

  /** The root of the {@code key} bucket's tree, which the fixtures make big enough to be a branch. */
  private static long keyTreeRoot(byte[] file) {
    long root = SnapshotFixtures.bucketRoot(file, "key");
    assertThat(SnapshotFixtures.flags(file, root)).as("key bucket root flags").isEqualTo(0x01);
    return root;
  }

  /** The leftmost leaf of the {@code key} bucket: 17-byte revision keys. */
  private static long firstRevisionLeaf(byte[] file) {
    long page = keyTreeRoot(file);
    while (SnapshotFixtures.flags(file, page) == 0x01) {
      page = SnapshotFixtures.littleEndian(file).getLong(SnapshotFixtures.branchChildOffset(page, 0));
    }
    return page;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static final class CountingVisitor implements BucketScanVisitor {
    @Override
    public void bucket(ByteBuffer name) {}

    @Override
    public void keyValue(ByteBuffer key, ByteBuffer value) {}
  }
}
