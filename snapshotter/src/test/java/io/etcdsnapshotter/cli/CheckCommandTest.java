package io.etcdsnapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** check's usage errors exit 64: its 2 means "quorum lost", and a typo must not page anyone as that. */
class CheckCommandTest {
  @Test
  void aBadFlagExits64() {
    CliRun run = CliRun.of("check", "--no-such-flag");

    assertThat(run.exit()).isEqualTo(CheckCommand.EXIT_USAGE).isEqualTo(64);
  }

  @Test
  void aBadClusterExits64WithOneLineNamingTheForm() {
    CliRun run = CliRun.of("check", "--cluster", "main");

    assertThat(run.exit()).isEqualTo(64);
    assertThat(run.err().strip()).doesNotContain("\n").startsWith("etcd-snapshotter check: ").contains("NAME=URL");
  }

  @Test
  void aQuotaOfZeroExits64() {
    CliRun run = CliRun.of("check", "--cluster", "main=http://127.0.0.1:1", "--quota-bytes", "0");

    assertThat(run.exit()).isEqualTo(64);
    assertThat(run.err()).contains("--quota-bytes must be more than 0");
  }

  @Test
  void helpStatesTheExitCodes() {
    CliRun run = CliRun.of("check", "--help");

    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("quorum lost", "64", "--quota-bytes", "--log-format=text|json");
  }
}
