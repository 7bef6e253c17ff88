package io.etcdsnapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RateLimitTest {
  @TempDir Path tmp;

  @Test
  void aSizePerSecondInBinaryUnitsWithOrWithoutPerSecond() {
    assertThat(RateLimit.parse("64MiB", "--rate-limit").bytesPerSecond()).isEqualTo(64L << 20);
    assertThat(RateLimit.parse("64MiB/s", "--rate-limit").bytesPerSecond()).isEqualTo(64L << 20);
    assertThat(RateLimit.parse("64Mi", "--rate-limit").bytesPerSecond()).isEqualTo(64L << 20);
    assertThat(RateLimit.parse("2GiB", "--rate-limit").bytesPerSecond()).isEqualTo(2L << 30);
    assertThat(RateLimit.parse("1536KiB/s", "--rate-limit").bytesPerSecond()).isEqualTo(1536L << 10);
    assertThat(RateLimit.parse(" 1048576 ", "--rate-limit").bytesPerSecond()).isEqualTo(1L << 20);
    assertThat(RateLimit.parse("999999999GiB", "--rate-limit").bytesPerSecond()).isEqualTo(999_999_999L << 30);
  }

  @Test
  void absentMeansAsFastAsEtcdSends() {
    assertThat(RateLimit.parse(null, "--rate-limit")).isEqualTo(RateLimit.NONE);
    assertThat(RateLimit.NONE.limited()).isFalse();
    assertThat(RateLimit.NONE.timeFor(8L << 30)).isEqualTo(Duration.ZERO);
  }

  @Test
  void saysHowLongADatabaseTakesAtTheRateAndShowsTheRateAsWritten() {
    RateLimit limit = RateLimit.parse("64MiB", "--rate-limit");
    assertThat(limit.timeFor(8L << 30)).isEqualTo(Duration.ofSeconds(128));
    assertThat(limit).hasToString("64MiB/s");
    assertThat(RateLimit.parse("1536KiB", "x")).hasToString("1536KiB/s");
    assertThat(RateLimit.parse("1048577", "x")).hasToString("1048577B/s");
  }

  @Test
  void anythingElseIsAUsageErrorNamingWhereItCameFrom() {
    for (String text : new String[] {"64MB", "64 MiB", "64mib", "1.5GiB", "-1MiB", "fast", "", "1234567890MiB"}) {
      assertThatThrownBy(() -> RateLimit.parse(text, "--rate-limit")).as(text)
          .isInstanceOf(ConfigException.class)
          .hasMessage("--rate-limit '" + text + "' is not a rate: write a size per second like 64MiB or 64MiB/s"
              + " (B, KiB, MiB or GiB)");
    }
    assertThatThrownBy(() -> RateLimit.parse("512KiB", "rateLimit in the config file"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("rateLimit in the config file '512KiB' is below the least rate of 1MiB/s: give 1MiB or more, or"
            + " leave the limit out to stream as fast as etcd sends");
  }

  @Test
  void theFlagOverridesTheConfigFile() throws IOException {
    Path yaml = Files.writeString(tmp.resolve("config.yaml"), "rateLimit: 32MiB\n");
    assertThat(load(yaml, null).rateLimit().bytesPerSecond()).isEqualTo(32L << 20);
    assertThat(load(yaml, "128MiB").rateLimit().bytesPerSecond()).isEqualTo(128L << 20);
    assertThat(load(null, null).rateLimit()).isEqualTo(RateLimit.NONE);
    Path wrong = Files.writeString(tmp.resolve("wrong.yaml"), "rateLimit: 32MB\n");
    assertThatThrownBy(() -> load(wrong, null)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("rateLimit in the config file '32MB' is not a rate");
  }

  private static SnapshotConfig load(Path config, String flag) {
    return SnapshotConfigLoader.load(new SnapshotSettings(config, null, null, null, null, List.of(), TlsFiles.NONE,
        null, null, null, null, null, null, null, null, flag));
  }
}
