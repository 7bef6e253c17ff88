package io.etcdsnapshotter.e2e.metrics;

import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.Processes;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import io.etcdsnapshotter.testing.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Pushgateway on a free loopback port, keeping what it is pushed in memory. Always close it: close() stops the
 * process, and the process reaper kills one a crashed test leaked.
 */
final class PushgatewayServer implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final RunningProcess process;
  private final URI url;

  private PushgatewayServer(RunningProcess process, URI url) {
    this.process = process;
    this.url = url;
  }

  static PushgatewayServer start() {
    Path binary = PrometheusTools.pushgateway();
    int port = FreePorts.one();
    URI url = URI.create("http://127.0.0.1:" + port);
    RunningProcess process = Processes.start(List.of(binary.toString(), "--web.listen-address=127.0.0.1:" + port));
    PushgatewayServer server = new PushgatewayServer(process, url);
    try {
      Polling.await("the Pushgateway to be ready", Duration.ofSeconds(30), server::ready,
          () -> "stderr: " + process.stderr());
    } catch (RuntimeException | Error e) {
      process.close();
      throw e;
    }
    return server;
  }

  URI url() {
    return url;
  }

  /** What a Prometheus scraping it would read: every pushed group's metrics and the Pushgateway's own. */
  String metrics() throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url.resolve("/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET /metrics answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  private boolean ready() {
    try {
      return HTTP.send(HttpRequest.newBuilder(url.resolve("/-/ready")).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    process.close();
  }
}
