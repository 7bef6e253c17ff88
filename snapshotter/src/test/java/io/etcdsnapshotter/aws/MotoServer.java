package io.etcdsnapshotter.aws;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcdsnapshotter.testing.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real {@code moto_server} process (the EC2 API, in memory) on a free loopback port, for the life of a test
 * class. The SDK finds dummy credentials in this JVM's system properties, a child process in {@link #CREDENTIALS};
 * nothing else sees them. The end-to-end tests in test/ use this class too, from this module's test-jar.
 */
public final class MotoServer implements AutoCloseable {
  public static final String REGION = "us-east-1";
  /** A second region, where copies that must survive losing the first one go. */
  public static final String OTHER_REGION = "us-west-2";
  /** What the default credential chain of a child process (the jar, salt-call) reads: its environment. */
  public static final Map<String, String> CREDENTIALS = Map.of("AWS_ACCESS_KEY_ID", "testing",
      "AWS_SECRET_ACCESS_KEY", "testing", "AWS_REGION", REGION);
  private static final Duration START = Duration.ofSeconds(60);
  private final Process process;
  private final Path log;
  private final URI endpoint;
  private final Ec2Client client;
  private final Ec2Client otherRegionClient;
  private final S3Client s3Client;

  private MotoServer(Process process, Path log, URI endpoint) {
    this.process = process;
    this.log = log;
    this.endpoint = endpoint;
    this.client = client(endpoint, REGION);
    this.otherRegionClient = client(endpoint, OTHER_REGION);
    this.s3Client = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.of(REGION))
        .endpointOverride(endpoint).forcePathStyle(true).build();
  }

  private static Ec2Client client(URI endpoint, String region) {
    return Ec2Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.of(region))
        .endpointOverride(endpoint).build();
  }

  /** Skips, naming the fix, when moto is not installed; scripts/test always installs it. */
  public static MotoServer start() {
    String path = System.getenv("MOTO_SERVER");
    assumeTrue(path != null && !path.isBlank(),
        "MOTO_SERVER is unset: run scripts/test, or export MOTO_SERVER from scripts/setup-salt, to run the AWS tests");
    System.setProperty("aws.accessKeyId", "testing");
    System.setProperty("aws.secretAccessKey", "testing");
    for (int attempt = 1; ; attempt++) {
      MotoServer server = launch(path, FreePorts.one());
      if (server.awaitReady()) {
        return server;
      }
      String log = server.readLog();
      server.close(); // someone took the port first: try another one
      if (attempt == 3) {
        throw new AssertionError("moto_server exited before it answered, three times; its last log: " + log);
      }
    }
  }

  public URI endpoint() {
    return endpoint;
  }

  /** For arranging and checking the world the tool acts on. */
  public Ec2Client client() {
    return client;
  }

  /** The same, in {@link #OTHER_REGION}. */
  public Ec2Client otherRegionClient() {
    return otherRegionClient;
  }

  /** Moto's S3, path-style, for arranging and checking what the tool did there. */
  public S3Client s3Client() {
    return s3Client;
  }

  /** A new symmetric KMS key of moto's; returns its ARN. */
  public String newKmsKey() {
    try (KmsClient kms = KmsClient.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.of(REGION))
        .endpointOverride(endpoint).build()) {
      return kms.createKey(r -> r.description("etcd snapshots")).keyMetadata().arn();
    }
  }

  private static MotoServer launch(String path, int port) {
    try {
      Path log = Files.createTempFile("moto-", ".log");
      Process process = new ProcessBuilder(path, "-H", "127.0.0.1", "-p", Integer.toString(port))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new MotoServer(process, log, URI.create("http://127.0.0.1:" + port));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + path, e);
    }
  }

  private boolean awaitReady() {
    HttpClient http = HttpClient.newHttpClient();
    Instant deadline = Instant.now().plus(START);
    while (process.isAlive() && Instant.now().isBefore(deadline)) {
      try {
        HttpRequest ping =
            HttpRequest.newBuilder(endpoint.resolve("/moto-api/")).timeout(Duration.ofSeconds(5)).build();
        if (http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return true;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      pause();
    }
    if (process.isAlive()) {
      String log = readLog();
      close();
      throw new AssertionError("moto_server did not answer on " + endpoint + " within " + START + ": " + log);
    }
    return false;
  }

  private static void pause() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String readLog() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  /** Kills moto and anything it started, waits for it, and removes its log. */
  @Override
  public void close() {
    client.close();
    otherRegionClient.close();
    s3Client.close();
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor();
      Files.deleteIfExists(log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
