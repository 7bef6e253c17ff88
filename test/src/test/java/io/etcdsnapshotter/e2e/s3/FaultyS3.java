package io.etcdsnapshotter.e2e.s3;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A loopback proxy in front of moto's S3 that passes every request on, except the upload of part 2 of any multipart
 * upload: that one is answered 500 ({@link Fault#FAIL}), or held until the proxy closes ({@link Fault#HANG}), so a
 * torn upload happens at a known point rather than by timing.
 */
final class FaultyS3 implements AutoCloseable {
  enum Fault { FAIL, HANG }

  /** Headers the JDK's client sets itself and refuses to be given. */
  private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade",
      "transfer-encoding");
  private final HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();
  private final URI target;
  private final Fault fault;
  private final CountDownLatch faulted = new CountDownLatch(1);
  private final CountDownLatch closing = new CountDownLatch(1);

  private FaultyS3(URI target, Fault fault) throws IOException {
    this.target = target;
    this.fault = fault;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  static FaultyS3 start(URI moto, Fault fault) {
    try {
      return new FaultyS3(moto, fault);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Waits until part 2 of an upload reached the proxy. */
  void awaitFault() throws InterruptedException {
    if (!faulted.await(2, TimeUnit.MINUTES)) {
      throw new AssertionError("no upload reached its part 2 through the proxy");
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String query = exchange.getRequestURI().getRawQuery();
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      if ("PUT".equals(exchange.getRequestMethod()) && query != null && query.contains("partNumber=2")) {
        faulted.countDown();
        if (fault == Fault.HANG) {
          closing.await();
        }
        exchange.sendResponseHeaders(500, -1);
        return;
      }
      forward(exchange, body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void forward(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
        .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    exchange.getRequestHeaders().forEach((name, values) -> {
      if (!RESTRICTED.contains(name.toLowerCase())) {
        values.forEach(value -> request.header(name, value));
      }
    });
    HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    response.headers().map().forEach((name, values) -> {
      if (!RESTRICTED.contains(name.toLowerCase()) && !name.startsWith(":")) {
        exchange.getResponseHeaders().put(name, List.copyOf(values));
      }
    });
    byte[] answer = response.body();
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(response.statusCode(), head || answer.length == 0 ? -1 : answer.length);
    if (!head && answer.length > 0) {
      exchange.getResponseBody().write(answer);
    }
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
  }
}
