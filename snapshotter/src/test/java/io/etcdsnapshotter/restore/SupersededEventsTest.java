package io.etcdsnapshotter.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SupersededEventsTest {
  @TempDir Path dir;

  /**
   * Every event but each key's last is superseded, whether the keys fit one buffer or spill into many runs (keys of
   * varied length and shared prefixes, some changed once, some often, across runs).
   */
  @ParameterizedTest
  @ValueSource(ints = {1 << 20, 16_384, 4096})
  void marksEveryEventButEachKeysLast(int bufferBytes) throws IOException {
    Random random = new Random(bufferBytes);
    Map<ByteString, Integer> last = new HashMap<>();
    int events = 20_000;
    ByteString[] keys = new ByteString[events];
    for (int i = 0; i < events; i++) {
      int id = random.nextInt(10) < 3 ? random.nextInt(50) : random.nextInt(5_000);
      keys[i] = ByteString.copyFromUtf8("/registry/pods/" + "x".repeat(id % 7) + id);
      last.put(keys[i], i);
    }
    BitSet superseded;
    try (SupersededEvents found = new SupersededEvents(dir, bufferBytes)) {
      for (int i = 0; i < events; i++) {
        found.add(keys[i], i);
      }
      superseded = found.result();
    }
    BitSet expected = new BitSet();
    for (int i = 0; i < events; i++) {
      if (last.get(keys[i]) != i) {
        expected.set(i);
      }
    }
    assertThat(superseded).isEqualTo(expected);
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).as("spilled runs are deleted").isEmpty();
    }
  }

  /** Keys of one hash ("Aa" and "BB" hash alike) are told apart by their bytes. */
  @Test
  void keysOfOneHashStayApart() throws IOException {
    List<String> keys = List.of("AaAa", "AaBB", "BBAa", "BBBB", "AaAa", "BBBB", "AaBB");
    assertThat(keys.stream().map(k -> ByteString.copyFromUtf8(k).hashCode()).distinct()).hasSize(1);
    BitSet superseded;
    try (SupersededEvents found = new SupersededEvents(dir, 1 << 16)) {
      for (int i = 0; i < keys.size(); i++) {
        found.add(ByteString.copyFromUtf8(keys.get(i)), i);
      }
      superseded = found.result();
    }
    assertThat(superseded.stream().boxed()).containsExactly(0, 1, 3);
  }
}
