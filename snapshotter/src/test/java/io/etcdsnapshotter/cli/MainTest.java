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

  /** A stray % in a description makes picocli print that description unformatted, with a warning on stderr. */
  @Test
  void everyCommandsHelpIsFormattedWithoutWarnings() {
    List<List<String>> helps = new java.util.ArrayList<>();
    for (String command : List.of("snapshot", "journal", "check", "status", "verify", "restore", "fetch",
        "volume-attach", "volume-release", "member-replace")) {
      helps.add(List.of(command, "--help"));
    }
    for (String step : List.of("plan", "look", "remove", "add", "catch-up")) {
      helps.add(List.of("member-replace", step, "--help"));
    }
    for (List<String> help : helps) {
      CliRun run = CliRun.of(help.toArray(String[]::new));
      assertThat(run.exit()).as("%s", help).isZero();
      assertThat(run.err()).as("%s", help).doesNotContain("picocli WARN");
    }
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
