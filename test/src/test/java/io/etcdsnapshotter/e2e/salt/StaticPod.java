package io.etcdsnapshotter.e2e.salt;

import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Etcdctl;
import io.etcdsnapshotter.testing.FreePorts;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An etcd static pod manifest run the way the kubelet would, minus the container: its command with the real etcd
 * binary of the tests. Closing it kills the process.
 */
final class StaticPod implements AutoCloseable {
  private static final KubernetesSerialization YAML = new KubernetesSerialization();
  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final Process process;
  private final EtcdVersion version;
  private final Path log;

  private StaticPod(Process process, EtcdVersion version, Path log) {
    this.process = process;
    this.version = version;
    this.log = log;
  }

  static Pod read(Path manifest) throws IOException {
    return YAML.unmarshal(Files.readString(manifest), Pod.class);
  }

  static StaticPod start(Path manifest, EtcdVersion version, Path log) throws IOException {
    List<String> command = new ArrayList<>(read(manifest).getSpec().getContainers().get(0).getCommand());
    command.set(0, version.binary("etcd").toString());
    return new StaticPod(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start(),
        version, log);
  }

  /** etcdctl against this pod's etcd on its client {@code port}. */
  Etcdctl etcdctl(int port) {
    return Etcdctl.plain(version, URI.create("http://127.0.0.1:" + port));
  }

  /** Waits until etcd reports itself healthy on {@code port}, failing with its log if it exits or takes too long. */
  void awaitHealthy(int port) {
    etcdctl(port).awaitHealthy(STARTUP, process::isAlive, this::log);
  }

  private String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  /** The etcd pillar of one master at 127.0.0.1: main and events on the given client ports, peers on free ones. */
  static String singleMasterPillar(int mainClientPort, int eventsClientPort) throws IOException {
    return """
        etcd:
          advertise_address: 127.0.0.1
          clusters:
            main: {client_port: %d, peer_port: %d}
            events: {client_port: %d, peer_port: %d}
        """.formatted(mainClientPort, FreePorts.one(), eventsClientPort, FreePorts.one());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }
}
