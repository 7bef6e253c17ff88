package io.etcdsnapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.bolt.BoltWriter;
import io.etcdsnapshotter.encryption.DataKeys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot of an etcd 3.6 cluster with more keys than the job's heap can count is still kept: the live-key count
 * (etcdutl 3.6's totalKey) is what gives way, never the backup. Run in a child JVM whose heap is far too small for
 * the count of a million keys and big enough for everything else.
 */
class SnapshotCheckHeapTest {
  private static final int KEYS = 1_000_000;

  @TempDir Path tmp;

  @Test
  void aSnapshotWithMoreLiveKeysThanTheHeapHoldsIsKeptWithoutItsKeyCount() throws Exception {
    Path db = manyKeys(tmp.resolve("big.db"));
    assertThat(SnapshotCheck.inspect(db, DataKeys.NONE).totalKey()).as("counted with a full heap").isEqualTo(KEYS);

    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx16m", "-cp", System.getProperty("java.class.path"), SnapshotCheckHeapTest.class.getName(),
        db.toString()));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(child.waitFor()).as(output).isZero();
    assertThat(output).contains("the heap is too small for the live-key count", "the snapshot is kept")
        .contains("entry revision=" + KEYS + " totalKey=null storageVersion=3.6.0");
  }

  /** The child: what {@link SnapshotCheck} records of the file, on one line. */
  public static void main(String[] args) throws IOException {
    SnapshotCheck.Contents contents = SnapshotCheck.inspect(Path.of(args[0]), DataKeys.NONE);
    System.out.println("entry revision=" + contents.revision() + " totalKey=" + contents.totalKey()
        + " storageVersion=" + contents.storageVersion());
  }

  /** An etcd 3.6 backend with {@code KEYS} live keys, one revision each. */
  private static Path manyKeys(Path file) throws IOException {
    try (BoltWriter db = BoltWriter.create(file, 4096)) {
      db.beginBucket(bytes("key"));
      for (int i = 1; i <= KEYS; i++) {
        byte[] revision = ByteBuffer.allocate(17).putLong(i).put((byte) '_').putLong(0).array();
        byte[] key = bytes(String.format("/registry/k/%07d", i));
        // mvccpb.KeyValue: field 1 (key), length-delimited, then mod_revision (field 3).
        byte[] value = ByteBuffer.allocate(2 + key.length + 2).put((byte) 0x0a).put((byte) key.length).put(key)
            .put((byte) 0x18).put((byte) 1).array();
        db.put(revision, value);
      }
      db.endBucket();
      db.beginBucket(bytes("meta"));
      db.put(bytes("storageVersion"), bytes("3.6.0"));
      db.endBucket();
      db.finish();
    }
    return file;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
