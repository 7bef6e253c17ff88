package io.etcdsnapshotter.e2e.process;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child process whose output goes to files (never to pipes a busy test might not drain). It is tracked by
 * {@link ProcessReaper} from start to end, so it cannot outlive the test JVM.
 * Members of a cluster keep their logs until the cluster is deleted; everything else is closed by its user.
 */
public final class RunningProcess implements AutoCloseable {
  private final String command;
  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private RunningProcess(String command, Process process, Path stdout, Path stderr) {
    this.command = command;
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** Starts {@code command}; its output is written to {@code <logPrefix>.out} and {@code <logPrefix>.err}. */
  public static RunningProcess start(List<String> command, Path logPrefix) {
    return start(command, Map.of(), logPrefix);
  }

  /** As {@link #start(List, Path)}, with {@code environment} added to this JVM's for the child only. */
  public static RunningProcess start(List<String> command, Map<String, String> environment, Path logPrefix) {
    Path out = logPrefix.resolveSibling(logPrefix.getFileName() + ".out");
    Path err = logPrefix.resolveSibling(logPrefix.getFileName() + ".err");
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    builder.environment().putAll(environment);
    try {
      return new RunningProcess(String.join(" ", command), ProcessReaper.track(builder.start()), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  /** Waits for the end; a process still running after {@code timeout} is killed and the test fails. */
  public ProcessResult await(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill();
        throw new AssertionError("still running after " + timeout + ", killed: " + result(-1));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
      throw new AssertionError("interrupted while waiting for " + command, e);
    }
    return result(process.exitValue());
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public String stdout() {
    return read(stdout);
  }

  public String stderr() {
    return read(stderr);
  }

  /** SIGKILL to the process and everything it started; returns once it is gone. */
  public void kill() {
    ProcessTree.kill(process);
  }

  /** SIGTERM, then SIGKILL if it has not ended after {@code grace}. */
  public void stop(Duration grace) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
  }

  /** Sends a signal by name (STOP, CONT, ...), for freezing a process at an exact point of a test. */
  public void signal(String name) {
    Processes.run(List.of("kill", "-" + name, Long.toString(process.pid())), Duration.ofSeconds(10)).orThrow();
  }

  /** Kills the process if it still runs and deletes its output files. */
  @Override
  public void close() {
    kill();
    try {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ProcessResult result(int exitCode) {
    return new ProcessResult(command, exitCode, read(stdout), read(stderr));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable " + file + ": " + e.getMessage() + ")";
    }
  }
}
