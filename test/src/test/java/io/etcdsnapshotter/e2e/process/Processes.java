package io.etcdsnapshotter.e2e.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** Starts commands whose output is kept only while they run. */
public final class Processes {
  private static final Path LOGS = createLogDir();
  private static final AtomicLong COUNTER = new AtomicLong();

  private Processes() {}

  /** Runs a short-lived command to its end, with a timeout that kills it. */
  public static ProcessResult run(List<String> command, Duration timeout) {
    try (RunningProcess process = start(command)) {
      return process.await(timeout);
    }
  }

  /** Starts a command; closing the returned process kills it and deletes its output files. */
  public static RunningProcess start(List<String> command) {
    return start(command, Map.of());
  }

  /** As {@link #start(List)}, with {@code environment} added for the child only. */
  public static RunningProcess start(List<String> command, Map<String, String> environment) {
    String name = Path.of(command.get(0)).getFileName() + "-" + COUNTER.incrementAndGet();
    return RunningProcess.start(command, environment, LOGS.resolve(name));
  }

  private static Path createLogDir() {
    try {
      Path dir = Files.createTempDirectory("e2e-processes-");
      // A test that fails before closing its process leaves that process's output behind: gone with the JVM.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir), "e2e-process-logs"));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(file -> file.toFile().delete());
    } catch (IOException e) {
      return; // the JVM is exiting: a log left in the temp dir is no reason to fail it
    }
    dir.toFile().delete();
  }
}
