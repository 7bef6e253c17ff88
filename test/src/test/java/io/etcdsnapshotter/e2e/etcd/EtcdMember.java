package io.etcdsnapshotter.e2e.etcd;

import io.etcdsnapshotter.e2e.process.RunningProcess;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One etcd server process of an {@link EtcdCluster}; it can be stopped, killed, frozen and started again. */
public final class EtcdMember {
  private final String name;
  private final EtcdVersion version;
  private final Path dir;
  private final URI clientUrl;
  private final URI peerUrl;
  private final List<String> clusterFlags;
  private RunningProcess process;
  private int starts;

  EtcdMember(String name, EtcdVersion version, Path dir, URI clientUrl, URI peerUrl, List<String> clusterFlags) {
    this.name = name;
    this.version = version;
    this.dir = dir;
    this.clientUrl = clientUrl;
    this.peerUrl = peerUrl;
    this.clusterFlags = clusterFlags;
  }

  public String name() {
    return name;
  }

  public URI clientUrl() {
    return clientUrl;
  }

  URI peerUrl() {
    return peerUrl;
  }

  /** Starts the server; on a restart etcd ignores the initial-cluster flags and resumes from its data dir. */
  void start() {
    List<String> command = new ArrayList<>(List.of(version.binary("etcd").toString(),
        "--name", name,
        "--data-dir", dir.resolve("data").toString(),
        "--listen-client-urls", clientUrl.toString(),
        "--advertise-client-urls", clientUrl.toString(),
        "--listen-peer-urls", peerUrl.toString(),
        "--initial-advertise-peer-urls", peerUrl.toString()));
    command.addAll(clusterFlags);
    starts++;
    process = RunningProcess.start(command, dir.resolve("etcd-" + starts));
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** A clean shutdown (SIGTERM), as an operator's stop would be. */
  public void stop() {
    if (process != null) {
      process.stop(Duration.ofSeconds(15));
    }
  }

  /** SIGKILL: the member dies at once, mid-request, as in a crash. */
  public void kill() {
    if (process != null) {
      process.kill();
    }
  }

  /** SIGSTOP: the member stays connected but answers nothing until {@link #resume()}. */
  public void freeze() {
    process.signal("STOP");
  }

  public void resume() {
    process.signal("CONT");
  }

  /** The member's own log so far: what it says it did, one JSON object a line. */
  public String log() {
    return process == null ? "" : process.stderr();
  }

  /** The end of the member's own log, for failure messages of the fixture. */
  String logTail() {
    String log = log();
    return log.length() <= 3000 ? log : "..." + log.substring(log.length() - 3000);
  }

  @Override
  public String toString() {
    return version + " member " + name + " at " + clientUrl;
  }
}
