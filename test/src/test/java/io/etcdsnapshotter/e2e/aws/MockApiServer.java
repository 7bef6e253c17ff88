package io.etcdsnapshotter.e2e.aws;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * fabric8's mock Kubernetes API server in CRUD mode, and a kubeconfig that points at it: the jar finds it through
 * KUBECONFIG as it would find a real cluster.
 */
final class MockApiServer implements AutoCloseable {
  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private MockApiServer(KubernetesMockServer server) {
    this.server = server;
    this.client = server.createClient();
  }

  static MockApiServer start() {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init();
    return new MockApiServer(server);
  }

  KubernetesClient client() {
    return client;
  }

  Path writeKubeconfig(Path file) {
    String url = "http://" + server.getHostName() + ":" + server.getPort();
    try {
      return Files.writeString(file, String.join("\n",
          "apiVersion: v1", "kind: Config",
          "clusters: [{name: mock, cluster: {server: '" + url + "'}}]",
          "users: [{name: snapshotter, user: {token: not-checked}}]",
          "contexts: [{name: mock, context: {cluster: mock, user: snapshotter, namespace: kube-system}}]",
          "current-context: mock", ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
