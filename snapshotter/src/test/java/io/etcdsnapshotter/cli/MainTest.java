package io.etcdsnapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {
  @Test
  void unknownCommandIsAUsageError() {
    assertThat(Main.run("no-such-command")).isEqualTo(Main.EXIT_USAGE);
  }

  @Test
  void helpListsEveryCommandThoughARunBuildsOnlyTheOneItNames() {
    java.io.PrintStream original = System.out;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      assertThat(Main.run("--help")).isZero();
    } finally {
      System.setOut(original);
    }
    assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("snapshot", "journal", "check", "status", "verify", "restore", "volume-attach", "volume-release");
    assertThat(Main.run("status", "--help")).isZero();
  }

  @Test
  void everyCommandTakesALogFormatOfTextOrJson() {
    for (String command : List.of("snapshot", "journal", "check", "status", "verify", "restore", "volume-attach",
        "volume-release")) {
      assertThat(CliRun.of(command, "--help").out()).as(command).contains("--log-format=text|json");
    }
    CliRun xml = CliRun.of("status", "--log-format", "xml", "snapshot.db");
    assertThat(xml.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(xml.err()).startsWith("Invalid value for option '--log-format': 'xml' is not a log format: give text"
        + " or json");
  }
}
