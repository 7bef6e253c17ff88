package io.etcdsnapshotter.e2e.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.Processes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** etcd's own offline snapshot commands (etcdctl in 3.4, etcdutl in 3.5): the oracle for our files. */
public final class SnapshotTool {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private final EtcdVersion version;

  public SnapshotTool(EtcdVersion version) {
    this.version = version;
  }

  public ProcessResult status(Path snapshot) {
    return run("snapshot", "status", snapshot.toString(), "-w", "json");
  }

  /** The status of a file etcd accepts; fails the caller when etcd rejects the file. */
  public JsonNode statusJson(Path snapshot) {
    return Json.parse(status(snapshot).orThrow().stdout());
  }

  public ProcessResult restore(Path snapshot, Path dataDir) {
    return run("snapshot", "restore", snapshot.toString(), "--data-dir", dataDir.toString());
  }

  private ProcessResult run(String... args) {
    version.assumeInstalled();
    List<String> command = new ArrayList<>(List.of(version.snapshotTool().toString()));
    command.addAll(List.of(args));
    return Processes.run(command, TIMEOUT);
  }
}
