package io.etcdsnapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** member-replace's usage: its steps, their exit codes, and one-line usage errors naming the step. */
class MemberReplaceCommandTest {
  @Test
  void helpListsTheStepsInTheOrderTheyRun() {
    CliRun run = CliRun.of("member-replace", "--help");

    assertThat(run.exit()).isZero();
    assertThat(run.out()).containsSubsequence("plan", "remove", "add", "catch-up");
  }

  @Test
  void planHelpStatesItsExitCodes() {
    CliRun run = CliRun.of("member-replace", "plan", "--help");

    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("--data-dir", "--peer-urls", "--log-format", "3   it needs replacing");
  }

  @Test
  void moreThanOneClusterIsAUsageErrorNamingTheStep() {
    CliRun run = CliRun.of("member-replace", "remove", "--name", "master-3", "--peer-urls", "http://10.0.3.10:2380");

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err().strip()).doesNotContain("\n")
        .startsWith("etcd-snapshotter member-replace remove: a member is replaced in one cluster at a time, but 2"
            + " are configured (main, events)");
  }

  @Test
  void aMalformedInitialClusterIsAUsageError() {
    CliRun run = CliRun.of("member-replace", "add", "--cluster", "main=http://127.0.0.1:1", "--name", "master-3",
        "--peer-urls", "http://10.0.3.10:2380", "--initial-cluster", "master-1");

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--initial-cluster entry 'master-1' must look like NAME=URL");
  }

  @Test
  void aCatchUpTimeoutOutOfRangeIsAUsageError() {
    CliRun run = CliRun.of("member-replace", "catch-up", "--cluster", "main=http://127.0.0.1:1", "--name",
        "master-3", "--peer-urls", "http://10.0.3.10:2380", "--timeout", "2d");

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--timeout '2d' is out of range");
  }
}
