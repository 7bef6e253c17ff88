package io.etcdsnapshotter.e2e.jar;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.Processes;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The tool under test as users run it: {@code java -jar etcd-snapshotter.jar ARGS} in its own process. */
public final class Jar {
  /** Long enough for any snapshot of these tests; a run that takes longer is a hang, and is killed. */
  public static final Duration TIMEOUT = Duration.ofMinutes(3);

  private Jar() {}

  public static ProcessResult run(String... args) {
    return run(Map.of(), args);
  }

  /** With {@code environment} added for this run only (credentials, KUBECONFIG), as an operator's shell would. */
  public static ProcessResult run(Map<String, String> environment, String... args) {
    try (RunningProcess process = start(List.of(), environment, List.of(), args)) {
      return process.await(TIMEOUT);
    }
  }

  /** With JVM options before {@code -jar}, as the image's command line has them. */
  public static ProcessResult runWithJvmOptions(List<String> options, String... args) {
    try (RunningProcess process = start(List.of(), Map.of(), options, args)) {
      return process.await(TIMEOUT);
    }
  }

  /**
   * With the kernel refusing to let the run write files larger than {@code kib} (ulimit -f): a volume that fills
   * up while a snapshot streams, without having to mount a small one.
   */
  public static ProcessResult runWithFileSizeLimit(long kib, String... args) {
    List<String> shell = List.of("sh", "-c", "ulimit -f " + kib + " && exec \"$@\"", "sh");
    try (RunningProcess process = start(shell, Map.of(), List.of(), args)) {
      return process.await(TIMEOUT);
    }
  }

  /** The java that runs these tests, which runs the jar too. */
  public static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The jar's path as given to every run: a class archive is only good for the path it was made with. */
  public static Path path() {
    Path jar = Path.of(System.getProperty("snapshotter.jar", "snapshotter/target/etcd-snapshotter.jar"));
    assertThat(jar).as("the jar under test (build it: mvn -B -DskipTests package)").isRegularFile();
    return jar;
  }

  /**
   * The lines the tool addressed to the operator (its log lines are timestamped, these start with its name):
   * one per failure, as the CLI contract asks.
   */
  public static List<String> messages(ProcessResult result) {
    return result.stderrLines().stream().filter(line -> line.startsWith("etcd-snapshotter")).toList();
  }

  /** True when the output holds a Java stack trace, which users must never see. */
  public static boolean hasStackTrace(ProcessResult result) {
    String all = result.stdout() + result.stderr();
    return all.contains("\tat ") || all.contains("Exception in thread") || all.contains("\nCaused by: ");
  }

  /** Starts a run and returns at once, for tests that act on the world while the tool works; close it after. */
  public static RunningProcess start(String... args) {
    return start(List.of(), Map.of(), List.of(), args);
  }

  /** As above, with {@code environment} added (credentials, say). */
  public static RunningProcess start(Map<String, String> environment, String... args) {
    return start(List.of(), environment, List.of(), args);
  }

  private static RunningProcess start(List<String> launcher, Map<String, String> environment, List<String> options,
      String... args) {
    List<String> command = new ArrayList<>(launcher);
    command.add(javaBinary());
    command.addAll(options);
    command.addAll(List.of("-jar", path().toString()));
    command.addAll(List.of(args));
    return Processes.start(command, environment);
  }
}
