package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An etcd static pod manifest run the way the kubelet would, minus the container: its command with the real etcd
 * binary of the tests. Closing it kills the process.
 */
final class StaticPod implements AutoCloseable {
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  private final Process process;
  private final Path log;

  private StaticPod(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static Pod read(Path manifest) throws IOException {
    return YAML.unmarshal(Files.readString(manifest), Pod.class);
  }

  static StaticPod start(Path manifest, Path etcdBinDir, Path log) throws IOException {
    List<String> command = new ArrayList<>(read(manifest).getSpec().getContainers().get(0).getCommand());
    command.set(0, etcdBinDir.resolve("etcd").toString());
    return new StaticPod(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start(),
        log);
  }

  /** Asserts etcd reports itself healthy on {@code port}, trying for about 30 s while it starts. */
  void assertHealthy(int port) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build();
    String last = "no answer";
    for (int attempt = 0; attempt < 60 && !last.contains("\"health\":\"true\"") && process.isAlive(); attempt++) {
      try {
        last = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
      } catch (IOException notYetListening) {
        last = notYetListening.toString();
        Thread.sleep(500);
      }
    }
    assertThat(last).as("etcd log:%n%s", Files.readString(log)).contains("\"health\":\"true\"");
  }

  /** The etcd pillar of one master at 127.0.0.1: main and events on the given client ports, peers on free ones. */
  static String singleMasterPillar(int mainClientPort, int eventsClientPort) throws IOException {
    return """
        etcd:
          advertise_address: 127.0.0.1
          clusters:
            main: {client_port: %d, peer_port: %d}
            events: {client_port: %d, peer_port: %d}
        """.formatted(mainClientPort, freePort(), eventsClientPort, freePort());
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }
}
