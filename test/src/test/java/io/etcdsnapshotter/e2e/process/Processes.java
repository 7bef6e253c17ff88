package io.etcdsnapshotter.e2e.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

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
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
