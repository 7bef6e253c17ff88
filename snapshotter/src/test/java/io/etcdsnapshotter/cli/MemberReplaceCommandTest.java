package io.etcdsnapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** member-replace's usage: its steps, their exit codes, and one-line usage errors naming the step. */
class MemberReplaceCommandTest {
  @Test
  void helpListsTheStepsInTheOrderTheyRun() {
    CliRun run = CliRun.of("member-replace", "--help");

    assertThat(run.exit()).isZero();
    assertThat(run.out()).containsSubsequence("plan", "remove", "add", "catch-up", "look");
  }

  @Test
  void lookHelpSaysWhatFailsAndStatesItsExitCodes() {
    CliRun run = CliRun.of("member-replace", "look", "--help");

    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("--failures", "--record-dir", "--lock-ttl", "CORRUPT alarm", "no leader, NOSPACE",
        "3   replace it now", "4   quorum lost");
  }

  @Test
  void lookOutOfRangeSettingsAreUsageErrors() {
    String[] member = {"--cluster", "main=http://127.0.0.1:1", "--name", "master-3", "--peer-urls",
        "http://10.0.3.10:2380", "--data-dir", "/var/etcd/data", "--record-dir", "/tmp/recovery"};

    CliRun failures = CliRun.of(concat(new String[] {"member-replace", "look", "--failures", "0", "--lock-ttl",
        "1h"}, member));
    CliRun ttl = CliRun.of(concat(new String[] {"member-replace", "look", "--lock-ttl", "3d"}, member));

    assertThat(failures.exit()).isEqualTo(2);
    assertThat(failures.err()).contains("--failures 0 is out of range: give 1 to 100");
    assertThat(ttl.exit()).isEqualTo(2);
    assertThat(ttl.err()).contains("--lock-ttl '3d' is out of range");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
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
