package io.etcdsnapshotter.bolt;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The snapshots made by real etcd 3.4 and 3.5 ({@code snapshots/make-fixtures.sh}), the status their own tools
 * printed for them, and byte-level access to the pages so that tests can damage them on purpose.
 */
public final class SnapshotFixtures {
  public static final List<String> VERSIONS = List.of("3.4", "3.5", "3.6", "3.7");
  /** For {@code @FieldSource}: every fixture version. */
  public static final String ALL = "io.etcdsnapshotter.bolt.SnapshotFixtures#VERSIONS";
  public static final int PAGE = 4096;
  public static final int TRAILER = 32;

  private SnapshotFixtures() {}

  public static Path snapshot(String version) {
    return resource("etcd-" + version + ".db");
  }

  /** etcdctl 3.4 / etcdutl 3.5 {@code snapshot status -w json} output, without the final newline. */
  public static String statusJson(String version) {
    return read("etcd-" + version + ".status.json").strip();
  }

  /** The same in {@code -w table}. */
  public static String statusTable(String version) {
    return read("etcd-" + version + ".status.txt");
  }

  public static byte[] bytes(String version) {
    try {
      return Files.readAllBytes(snapshot(version));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bbolt part of the snapshot: the file without etcd's SHA-256 trailer, as in a data dir. */
  public static byte[] db(String version) {
    byte[] all = bytes(version);
    return Arrays.copyOf(all, all.length - TRAILER);
  }

  public static Path write(Path dir, String name, byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content);
  }

  public static ByteBuffer littleEndian(byte[] file) {
    return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Gives the meta page at byte {@code meta} a correct FNV-1a checksum again, so its other fields reach the checks. */
  public static void resealMeta(ByteBuffer b, int meta) {
    long hash = 0xcbf29ce484222325L;
    for (int i = meta + 16; i < meta + 72; i++) {
      hash = (hash ^ (b.get(i) & 0xff)) * 0x100000001b3L;
    }
    b.putLong(meta + 72, hash);
  }

  /**
   * A sparse file of {@code size} bytes: the fixture's db, its valid meta pages counting every page of the file
   * (as bbolt's do after the file grew), and holes after it. Sound to bbolt, and billions of pages to a reader.
   */
  public static Path sparse(Path dir, String version, long size) throws IOException {
    byte[] db = db(version);
    ByteBuffer b = littleEndian(db);
    for (int meta : new int[] {0, PAGE}) {
      b.putLong(meta + 16 + 40, size / PAGE);
      resealMeta(b, meta);
    }
    Path file = write(dir, "sparse.db", db);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(size);
    }
    return file;
  }

  public static int flags(byte[] file, long pgid) {
    return Short.toUnsignedInt(littleEndian(file).getShort((int) (pgid * PAGE + 8)));
  }

  public static int count(byte[] file, long pgid) {
    return Short.toUnsignedInt(littleEndian(file).getShort((int) (pgid * PAGE + 10)));
  }

  /** The first page with the given flags (0x01 branch, 0x02 leaf) at or after {@code from}. */
  public static int firstPage(byte[] file, int pageFlags, int from) {
    for (int p = from; (p + 1) * PAGE <= file.length; p++) {
      if (flags(file, p) == pageFlags && littleEndian(file).getLong(p * PAGE) == p) {
        return p;
      }
    }
    throw new IllegalStateException("no page with flags " + pageFlags);
  }

  /** The root page of a top-level bucket, read by hand from meta page 0 and the root bucket's (single) leaf. */
  public static long bucketRoot(byte[] file, String name) {
    ByteBuffer b = littleEndian(file);
    long rootLeaf = b.getLong(16 + 16);
    for (int i = 0; i < count(file, rootLeaf); i++) {
      int element = (int) (rootLeaf * PAGE + 16 + 16 * i);
      int key = element + b.getInt(element + 4);
      int keySize = b.getInt(element + 8);
      if (new String(file, key, keySize, StandardCharsets.US_ASCII).equals(name)) {
        return b.getLong(key + keySize);
      }
    }
    throw new IllegalStateException("no bucket " + name);
  }

  /** Offset of the child pgid of element {@code i} of a branch page. */
  public static int branchChildOffset(long pgid, int i) {
    return (int) (pgid * PAGE + 16 + 16 * i + 8);
  }

  public static int indexOf(byte[] file, String text) {
    byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + needle.length <= file.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (file[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException(text + " not in the fixture");
  }

  private static Path resource(String name) {
    try {
      return Path.of(SnapshotFixtures.class.getResource("/snapshots/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String read(String name) {
    try {
      return Files.readString(resource(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
