package io.etcdsnapshotter.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.bolt.SnapshotFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * go-semver v0.3.1's parse and print, as etcdutl 3.6 shows meta/storageVersion. Every case here was also run through
 * go-semver's NewVersion and String, with the same results.
 */
class StorageVersionTest {

  @ParameterizedTest
  @CsvSource({
    "3.6.0, 3.6.0",
    "3.7.0, 3.7.0",
    "03.006.0000, 3.6.0",
    "3.6.0-rc.1, 3.6.0-rc.1",
    "3.6.0+build.5, 3.6.0+build.5",
    "3.6.0-rc-1+meta-x, 3.6.0-rc-1+meta-x",
    "3.6.0+meta-with-dash, 3.6.0+meta-with-dash",
    "3.6.0-, 3.6.0",
    "3.6.0+, 3.6.0",
    "9223372036854775807.0.0, 9223372036854775807.0.0"
  })
  void parsesAndPrintsAsGoSemver(String stored, String shown) {
    assertThat(StorageVersion.parse(bytes(stored))).contains(shown);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "3.6", "3.6.0.1", "v3.6.0", " 3.6.0", "3.6.0 ", "3.6.x", "3..0", "3.6.0-rc..1",
      "3.6.0-é", "3.6.0+a+b", "9223372036854775808.0.0", "3.6.0\n", "٣.6.0", "+3.6.0", "3.6._0"})
  void refusesWhatGoSemverRefuses(String stored) {
    assertThat(StorageVersion.parse(bytes(stored))).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"3.4, ''", "3.5, ''", "3.6, 3.6.0", "3.7, 3.7.0"})
  void readsTheFixturesStorageVersion(String release, String expected) throws IOException {
    try (BoltFile bolt = BoltFile.open(SnapshotFixtures.snapshot(release))) {
      assertThat(StorageVersion.read(bolt)).isEqualTo(Optional.of(expected).filter(v -> !v.isEmpty()));
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
