package io.etcdsnapshotter.e2e.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.etcdsnapshotter.aws.MotoServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An instance metadata service (IMDSv2) on a loopback port that records every request it gets, and answers as an
 * instance with the role {@value #ROLE} whose keys moto accepts. The jar is pointed at it with
 * AWS_EC2_METADATA_SERVICE_ENDPOINT, as the SDK and {@code InstanceIdentity} allow.
 */
final class FakeInstanceMetadata implements AutoCloseable {
  static final String ROLE = "etcd-snapshot-master";
  private static final String CREDENTIALS = """
      {"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "testing", "SecretAccessKey": "testing",
       "Token": "testing", "Expiration": "2099-01-01T00:00:00Z", "LastUpdated": "2026-01-01T00:00:00Z"}""";
  private final HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();

  private FakeInstanceMetadata(HttpServer server) {
    this.server = server;
  }

  static FakeInstanceMetadata start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      FakeInstanceMetadata imds = new FakeInstanceMetadata(server);
      server.createContext("/", imds::answer);
      server.start();
      return imds;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The value of AWS_EC2_METADATA_SERVICE_ENDPOINT that sends the jar here. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Every request so far, as "METHOD path". */
  List<String> requests() {
    return List.copyOf(requests);
  }

  private void answer(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    requests.add(exchange.getRequestMethod() + " " + path);
    String body;
    if (path.equals("/latest/api/token")) {
      body = "token";
    } else if (path.endsWith("/security-credentials/") || path.endsWith("/security-credentials-extended/")) {
      body = ROLE;
    } else if (path.endsWith("/" + ROLE)) {
      body = CREDENTIALS;
    } else if (path.equals("/latest/dynamic/instance-identity/document")) {
      body = "{\"region\": \"" + MotoServer.REGION + "\"}";
    } else {
      body = null;
    }
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
