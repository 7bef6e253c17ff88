package io.etcdsnapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {
  @Test
  void unknownCommandIsAUsageError() {
    assertThat(Main.run("no-such-command")).isEqualTo(Main.EXIT_USAGE);
  }

  @Test
  void helpSucceeds() {
    assertThat(Main.run("--help")).isZero();
  }
}
