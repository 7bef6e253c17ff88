package io.etcdsnapshotter.bolt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dbs written by BoltWriter are checked by real etcdctl 3.4's {@code snapshot status}: it opens them with bbolt,
 * runs tx.Check (every page reachable once, keys ordered, metas valid) and hashes every bucket, key and value.
 */
class BoltWriterTest {
  @TempDir Path dir;
  private long writtenHash;
  private long writtenKeys;

  @Test
  void deepTreeWithOverflowAndInlineBucketsPassesBboltCheck() throws Exception {
    Map<String, List<byte[][]>> buckets = new TreeMap<>();
    buckets.put("alarm", List.of());
    buckets.put("key", revisions(60_000));
    buckets.put("lease", bigValues());
    buckets.put("meta", List.of(kv("consistent_index", new byte[8]), kv("term", new byte[8])));
    buckets.put("members", quarterPagePlusOne(4096));
    buckets.put("values4k", pageSizedValues(300, 4096));
    assertStatusMatches(write(buckets, 4096), buckets, 4096);
  }

  /** Values about a page long share multi-page leaves instead of wasting most of a page each. */
  @Test
  void pageSizedValuesArePackedTightly() throws Exception {
    Map<String, List<byte[][]>> buckets = new TreeMap<>();
    buckets.put("key", pageSizedValues(1000, 4096));
    Path db = write(buckets, 4096);
    assertStatusMatches(db, buckets, 4096);
    assertThat(Files.size(db)).isLessThan(1000L * 4096 * 3 / 2);
  }

  @Test
  void smallPagesAndAnEmptyDb() throws Exception {
    Map<String, List<byte[][]>> buckets = new TreeMap<>();
    assertStatusMatches(write(buckets, 4096), buckets, 4096);
    buckets.put("key", revisions(5_000));
    buckets.put("z", bigValues());
    assertStatusMatches(write(buckets, 1024), buckets, 1024);
  }

  @Test
  void keysOutOfOrderAreRefused() throws IOException {
    try (BoltWriter db = BoltWriter.create(dir.resolve("bad.db"), 4096)) {
      db.beginBucket(bytes("b"));
      db.put(bytes("k2"), new byte[0]);
      assertThatThrownBy(() -> db.put(bytes("k1"), new byte[0])).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> db.put(new byte[0], new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }
  }

  private Path write(Map<String, List<byte[][]>> buckets, int pageSize) throws IOException {
    Path file = Files.createTempFile(dir, "w", ".db");
    Files.delete(file);
    try (BoltWriter db = BoltWriter.create(file, pageSize)) {
      for (Map.Entry<String, List<byte[][]>> bucket : buckets.entrySet()) {
        db.beginBucket(bytes(bucket.getKey()));
        for (byte[][] kv : bucket.getValue()) {
          db.put(kv[0], kv[1]);
        }
        db.endBucket();
      }
      db.finish();
      assertThat(Files.size(file)).isEqualTo(db.pageCount() * pageSize);
      writtenHash = db.contentHash();
      writtenKeys = db.keyCount();
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    return file;
  }

  private void assertStatusMatches(Path db, Map<String, List<byte[][]>> buckets, int pageSize)
      throws Exception {
    CRC32C hash = new CRC32C();
    long keys = 0;
    long revision = 0;
    for (Map.Entry<String, List<byte[][]>> bucket : buckets.entrySet()) {
      hash.update(bytes(bucket.getKey()));
      for (byte[][] kv : bucket.getValue()) {
        hash.update(kv[0]);
        hash.update(kv[1]);
        keys++;
        revision = bucket.getKey().equals("key") ? ByteBuffer.wrap(kv[0]).getLong() : revision;
      }
    }
    assertThat(writtenHash).isEqualTo(hash.getValue());
    assertThat(writtenKeys).isEqualTo(keys);
    assertThat(etcdctlStatus(db)).isEqualTo("{\"hash\":" + hash.getValue() + ",\"revision\":" + revision
        + ",\"totalKey\":" + keys + ",\"totalSize\":" + Files.size(db) + "}");
    assertThat(Files.size(db) % pageSize).isZero();
    new PageAccounting(Files.readAllBytes(db), pageSize).assertEveryPageUsedOnce();
  }

  /**
   * What etcdctl cannot see: with no freelist bbolt counts every unreachable page as free, so a wrong overflow
   * count or a page referenced twice would pass tx.Check and be overwritten later. Walks the tree from the meta,
   * checks each separator equals its child's first key, and counts every page.
   */
  private static final class PageAccounting {
    private final ByteBuffer file;
    private final int pageSize;
    private final int[] uses;

    PageAccounting(byte[] bytes, int pageSize) {
      this.file = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      this.pageSize = pageSize;
      this.uses = new int[bytes.length / pageSize];
    }

    void assertEveryPageUsedOnce() {
      for (int meta = 0; meta < 2; meta++) {
        int base = meta * pageSize + 16;
        assertThat(file.getLong(base + 16)).as("meta %d root", meta).isEqualTo(file.getLong(16 + 16));
        assertThat(file.getLong(base + 40)).as("meta %d pgid", meta).isEqualTo(uses.length);
        assertThat(file.getLong(base + 56)).as("meta %d checksum", meta).isEqualTo(fnv(base));
        uses[meta]++;
      }
      walk(file.getLong(16 + 16));
      assertThat(uses).containsOnly(1);
    }

    /** Returns the first key of the subtree at pgid. */
    private byte[] walk(long pgid) {
      int page = Math.toIntExact(pgid * pageSize);
      assertThat(file.getLong(page)).as("page id").isEqualTo(pgid);
      for (int i = 0; i <= file.getInt(page + 12); i++) {
        uses[Math.toIntExact(pgid + i)]++;
      }
      int flags = file.getShort(page + 8);
      int count = file.getShort(page + 10) & 0xFFFF;
      byte[] first = null;
      for (int i = 0; i < count; i++) {
        int element = page + 16 + 16 * i;
        byte[] key = slice(element + (flags == 1 ? file.getInt(element) : file.getInt(element + 4)),
            file.getInt(element + (flags == 1 ? 4 : 8)));
        first = first == null ? key : first;
        if (flags == 1) {
          assertThat(walk(file.getLong(element + 8))).as("separator").isEqualTo(key);
        } else if ((file.getInt(element) & 1) == 1) {
          long root = file.getLong(element + file.getInt(element + 4) + file.getInt(element + 8));
          if (root != 0) {
            walk(root);
          }
        }
      }
      return first;
    }

    private byte[] slice(int offset, int length) {
      byte[] bytes = new byte[length];
      file.get(offset, bytes);
      return bytes;
    }

    private long fnv(int base) {
      long hash = 0xcbf29ce484222325L;
      for (int i = base; i < base + 56; i++) {
        hash = (hash ^ (file.get(i) & 0xFF)) * 0x100000001b3L;
      }
      return hash;
    }
  }

  private static String etcdctlStatus(Path db) throws Exception {
    String bin = System.getenv("ETCD34_BIN");
    Path etcdctl = Path.of(bin == null ? "/usr/bin" : bin, "etcdctl");
    assertThat(etcdctl).as("etcdctl 3.4 (install it with scripts/setup)").isExecutable();
    Process process = new ProcessBuilder(etcdctl.toString(), "snapshot", "status", "-w", "json", db.toString())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  /** MVCC-style 17-byte revision keys with protobuf-sized values; enough of them for three tree levels. */
  private static List<byte[][]> revisions(int count) {
    List<byte[][]> kvs = new ArrayList<>();
    Random random = new Random(count);
    for (int rev = 2; rev < count + 2; rev++) {
      byte[] value = new byte[random.nextInt(120)];
      random.nextBytes(value);
      kvs.add(kv(ByteBuffer.allocate(17).putLong(rev).put((byte) '_').putLong(0).array(), value));
    }
    return kvs;
  }

  private static List<byte[][]> pageSizedValues(int count, int pageSize) {
    List<byte[][]> kvs = new ArrayList<>();
    for (int rev = 1; rev <= count; rev++) {
      byte[] value = new byte[pageSize - 100 + rev % 200];
      new Random(rev).nextBytes(value);
      kvs.add(kv(ByteBuffer.allocate(17).putLong(rev).put((byte) '_').putLong(0).array(), value));
    }
    return kvs;
  }

  /** Values from empty to 1 MiB: several need overflow pages. */
  private static List<byte[][]> bigValues() {
    List<byte[][]> kvs = new ArrayList<>();
    int[] sizes = {0, 1, 1000, 5000, 70_000, 1 << 20, 3000, 4080, 4096, 10};
    for (int i = 0; i < sizes.length; i++) {
      byte[] value = new byte[sizes[i]];
      new Random(i).nextBytes(value);
      kvs.add(kv(String.format("lease%03d", i), value));
    }
    return kvs;
  }

  /** One leaf just over bbolt's inline limit, so it is written as a page of its own. */
  private static List<byte[][]> quarterPagePlusOne(int pageSize) {
    int pageHeaderElementAndKey = 16 + 16 + 1;
    return List.<byte[][]>of(kv("a", new byte[pageSize / 4 - pageHeaderElementAndKey + 1]));
  }

  private static byte[][] kv(String key, byte[] value) {
    return kv(bytes(key), value);
  }

  private static byte[][] kv(byte[] key, byte[] value) {
    return new byte[][] {key, value};
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
