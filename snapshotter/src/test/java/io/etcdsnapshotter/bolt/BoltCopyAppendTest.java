package io.etcdsnapshotter.bolt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Many keys appended to a bucket of each shape read back after the old ones, in a db that passes a full scan. */
class BoltCopyAppendTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"3, 5", "3, 3000", "40, 10", "20000, 1", "20000, 7000"})
  void appendedKeysFollowTheOldOnesWhateverTheBucketsShape(int existing, int appended) throws IOException {
    Path source = dir.resolve("source.db");
    List<byte[]> expected = new ArrayList<>();
    try (BoltWriter writer = BoltWriter.create(source, 1024)) {
      writer.beginBucket(bytes("a"));
      writer.put(bytes("x"), bytes("y"));
      writer.endBucket();
      writer.beginBucket(bytes("key"));
      for (int i = 0; i < existing; i++) {
        writer.put(key(i), value(i));
        expected.add(key(i));
      }
      writer.endBucket();
      writer.beginBucket(bytes("meta"));
      writer.put(bytes("m"), bytes("n"));
      writer.endBucket();
      writer.finish();
    }
    Path copy = dir.resolve("copy.db");
    try (BoltFile bolt = BoltFile.open(source); BoltCopy db = BoltCopy.start(bolt, copy, n -> { })) {
      BoltCopy.Appender keys = db.appendTo(bytes("key"));
      for (int i = existing; i < existing + appended; i++) {
        keys.add(key(i), ByteBuffer.wrap(value(i)));
        expected.add(key(i));
      }
      keys.finish();
      db.commit();
      db.force();
    }
    try (BoltFile bolt = BoltFile.open(copy)) {
      List<byte[]> keys = new ArrayList<>();
      bolt.forEach(bytes("key"), (k, v) -> {
        assertThat(v).isEqualTo(value(ByteBuffer.wrap(k).getInt()));
        keys.add(k);
      });
      assertThat(keys).containsExactlyElementsOf(expected);
      ScanSummary scan = bolt.scan(new BucketScanVisitor() {
        @Override
        public void bucket(ByteBuffer name) {}

        @Override
        public void keyValue(ByteBuffer key, ByteBuffer value) {}
      });
      assertThat(scan.keys()).isEqualTo(expected.size() + 2);
      assertThat(bolt.get(bytes("meta"), bytes("m"))).contains(bytes("n"));
    }
  }

  @ParameterizedTest
  @CsvSource({"3", "20000"})
  void aKeyOutOfOrderIsRefused(int existing) throws IOException {
    Path source = dir.resolve("source.db");
    try (BoltWriter writer = BoltWriter.create(source, 1024)) {
      writer.beginBucket(bytes("key"));
      for (int i = 0; i < existing; i++) {
        writer.put(key(i), value(i));
      }
      writer.endBucket();
      writer.finish();
    }
    try (BoltFile bolt = BoltFile.open(source); BoltCopy db = BoltCopy.start(bolt, dir.resolve("c.db"), n -> { })) {
      BoltCopy.Appender keys = db.appendTo(bytes("key"));
      keys.add(key(existing + 5), ByteBuffer.wrap(value(1)));
      assertThatThrownBy(() -> keys.add(key(existing + 1), ByteBuffer.wrap(value(1)))).hasMessageContaining("does not sort after");
      assertThatThrownBy(() -> keys.add(key(existing - 1), ByteBuffer.wrap(value(1)))).hasMessageContaining("does not sort after");
    }
  }

  @ParameterizedTest
  @CsvSource({"2", "5000"})
  void aBucketTheSourceLacksIsCreatedWithTheAppendedKeys(int appended) throws IOException {
    Path source = dir.resolve("source.db");
    try (BoltWriter writer = BoltWriter.create(source, 1024)) {
      writer.beginBucket(bytes("meta"));
      writer.put(bytes("m"), bytes("n"));
      writer.endBucket();
      writer.finish();
    }
    Path copy = dir.resolve("copy.db");
    try (BoltFile bolt = BoltFile.open(source); BoltCopy db = BoltCopy.start(bolt, copy, n -> { })) {
      BoltCopy.Appender keys = db.appendTo(bytes("key"));
      for (int i = 0; i < appended; i++) {
        keys.add(key(i), ByteBuffer.wrap(value(i)));
      }
      keys.finish();
      db.commit();
    }
    try (BoltFile bolt = BoltFile.open(copy)) {
      List<Integer> keys = new ArrayList<>();
      bolt.forEach(bytes("key"), (k, v) -> keys.add(ByteBuffer.wrap(k).getInt()));
      assertThat(keys).hasSize(appended).isSorted().startsWith(0);
      assertThat(bolt.get(bytes("meta"), bytes("m"))).contains(bytes("n"));
    }
  }

  private static byte[] key(int i) {
    return ByteBuffer.allocate(4).putInt(i).array();
  }

  /** Now and then a value larger than a page, so appended leaves overflow too. */
  private static byte[] value(int i) {
    byte[] value = new byte[i % 997 == 0 ? 3000 : 20 + i % 50];
    Arrays.fill(value, (byte) i);
    return value;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
