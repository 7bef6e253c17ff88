package io.etcdsnapshotter.e2e.metrics;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * promtool and the Pushgateway, built from Prometheus's Go modules by scripts/prometheus/build; scripts/setup prints
 * their directories as PROMTOOL_BIN and PUSHGATEWAY_BIN. A test that needs one skips, naming the fix, without it.
 */
public final class PrometheusTools {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private PrometheusTools() {}

  public static Path promtool() {
    return binary("PROMTOOL_BIN", "promtool");
  }

  static Path pushgateway() {
    return binary("PUSHGATEWAY_BIN", "pushgateway");
  }

  /** Runs promtool with {@code args}, from {@code dir} (rule and test files name each other relative to it). */
  public static ProcessResult promtool(Path dir, String... args) {
    List<String> command = new ArrayList<>(List.of("sh", "-c", "cd \"$0\" && exec \"$@\"", dir.toString(),
        promtool().toString()));
    command.addAll(List.of(args));
    return Processes.run(command, TIMEOUT);
  }

  /** {@code promtool check metrics} of {@code file}, which it reads on its standard input. */
  public static ProcessResult checkMetrics(Path file) {
    return Processes.run(List.of("sh", "-c", "exec \"$0\" check metrics < \"$1\"", promtool().toString(),
        file.toString()), TIMEOUT);
  }

  private static Path binary(String variable, String name) {
    String dir = System.getenv(variable);
    assumeTrue(dir != null && !dir.isBlank() && Files.isExecutable(Path.of(dir, name)), variable
        + " is unset or holds no " + name + ": run scripts/test, or export " + variable + " from scripts/setup"
        + " (scripts/prometheus/build builds it)");
    return Path.of(dir, name);
  }
}
