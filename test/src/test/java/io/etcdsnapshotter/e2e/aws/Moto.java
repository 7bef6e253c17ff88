package io.etcdsnapshotter.e2e.aws;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcdsnapshotter.e2e.etcd.FreePorts;
import io.etcdsnapshotter.e2e.process.Processes;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** {@code moto_server} (EC2 in memory) as a process on a free loopback port; the jar reaches it with dummy keys. */
public final class Moto implements AutoCloseable {
  public static final String REGION = "us-east-1";
  /** What the jar's default credential chain reads: the environment of its process, nothing on disk. */
  public static final Map<String, String> CREDENTIALS = Map.of("AWS_ACCESS_KEY_ID", "testing",
      "AWS_SECRET_ACCESS_KEY", "testing", "AWS_REGION", REGION);
  private final RunningProcess process;
  private final URI endpoint;
  private final Ec2Client ec2;

  private Moto(RunningProcess process, URI endpoint) {
    this.process = process;
    this.endpoint = endpoint;
    this.ec2 = Ec2Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.of(REGION))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
        .endpointOverride(endpoint).build();
  }

  /** Skips, naming the fix, when moto is not installed; scripts/test always installs it. */
  public static Moto start() {
    String path = System.getenv("MOTO_SERVER");
    assumeTrue(path != null && !path.isBlank(),
        "MOTO_SERVER is unset: run scripts/test, or export MOTO_SERVER from scripts/setup-salt, to run the AWS tests");
    int port = FreePorts.allocate(1).get(0);
    Moto moto = new Moto(Processes.start(List.of(path, "-H", "127.0.0.1", "-p", Integer.toString(port))),
        URI.create("http://127.0.0.1:" + port));
    moto.awaitAnswer();
    return moto;
  }

  public URI endpoint() {
    return endpoint;
  }

  public Ec2Client ec2() {
    return ec2;
  }

  private void awaitAnswer() {
    HttpClient http = HttpClient.newHttpClient();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (process.isAlive() && Instant.now().isBefore(deadline)) {
      try {
        HttpRequest ping = HttpRequest.newBuilder(endpoint.resolve("/moto-api/")).build();
        if (http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
        Thread.sleep(200);
      } catch (IOException notYet) {
        sleepBriefly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    String log = process.stderr();
    close();
    throw new AssertionError("moto_server did not answer on " + endpoint + ": " + log);
  }

  private static void sleepBriefly() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    ec2.close();
    process.close();
  }
}
