package io.etcdsnapshotter.e2e.salt;

import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real salt-minion daemon on one {@link SaltCall}'s root, masterless ({@code master_type: disable},
 * {@code file_client: local}): it runs schedule jobs as a master's minion does, and carries the minion event bus that
 * salt-call's schedule functions talk to and {@code event.send} fires on. Closing it stops it and every job it runs.
 */
final class SaltMinion implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final Process process;
  private final Path log;

  private SaltMinion(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts the daemon with {@code pillarYaml} (as {@link SaltCall#apply} writes it), once its event bus is up. */
  static SaltMinion start(SaltCall salt, String pillarYaml) throws IOException {
    Path config = salt.writeConfig(pillarYaml);
    Path run = Files.createDirectories(salt.path("salt/run"));
    Path log = salt.path("salt/minion.log");
    Files.writeString(Files.createDirectories(config.resolve("minion.d")).resolve("daemon.conf"), String.join("\n",
        "master_type: disable",
        "sock_dir: " + run,
        "pidfile: " + run.resolve("salt-minion.pid"),
        "log_level_logfile: info",
        ""));
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(SaltCall.saltCallPath()).resolveSibling("salt-minion").toString(),
        "--config-dir", config.toString(), "--log-level", "warning")
        .redirectErrorStream(true).redirectOutput(salt.path("salt/minion-console.log").toFile());
    builder.environment().putAll(SaltCall.environment(salt.root(), Map.of()));
    Process process = builder.start();
    SaltMinion minion = new SaltMinion(process, log);
    Polling.await("salt-minion's event bus in " + run, STARTUP, () -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("salt-minion exited (" + process.exitValue() + "): " + minion.log());
      }
      try (Stream<Path> sockets = Files.list(run)) {
        return sockets.anyMatch(file -> file.getFileName().toString().endsWith("_pub.ipc"));
      } catch (IOException e) {
        return false;
      }
    }, minion::log);
    return minion;
  }

  /** The daemon's log file: the schedule's jobs, and what a failed command wrote, at level info and above. */
  String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    ProcessTree.kill(process);
  }
}
