package io.etcdsnapshotter.aws;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * This EC2 instance's id and availability zone, from the instance metadata service in its v2 form (a session
 * token first, as instances that require IMDSv2 demand). The SDK line we use has no published imds module, and
 * two GETs do not need one.
 */
public record InstanceIdentity(String instanceId, String availabilityZone) {
  private static final String DEFAULT_ENDPOINT = "http://169.254.169.254";
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  /** Flags win; the rest comes from the metadata service (AWS_EC2_METADATA_SERVICE_ENDPOINT moves it, like the SDK). */
  public static InstanceIdentity resolve(String instanceId, String availabilityZone) {
    if (instanceId != null && availabilityZone != null) {
      return new InstanceIdentity(instanceId, availabilityZone);
    }
    String endpoint = System.getenv().getOrDefault("AWS_EC2_METADATA_SERVICE_ENDPOINT", DEFAULT_ENDPOINT);
    HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    try {
      String token = send(http, HttpRequest.newBuilder(URI.create(endpoint + "/latest/api/token"))
          .header("X-aws-ec2-metadata-token-ttl-seconds", "60")
          .PUT(HttpRequest.BodyPublishers.noBody()));
      return new InstanceIdentity(
          instanceId != null ? instanceId : metadata(http, endpoint, token, "instance-id"),
          availabilityZone != null ? availabilityZone : metadata(http, endpoint, token, "placement/availability-zone"));
    } catch (IOException e) {
      throw new AwsException("cannot read this instance's metadata (IMDSv2 at " + endpoint + "): " + e.getMessage()
          + "; outside EC2 give --instance-id and --availability-zone", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AwsException("interrupted while reading instance metadata", e);
    }
  }

  private static String metadata(HttpClient http, String endpoint, String token, String path)
      throws IOException, InterruptedException {
    return send(http, HttpRequest.newBuilder(URI.create(endpoint + "/latest/meta-data/" + path))
        .header("X-aws-ec2-metadata-token", token).GET());
  }

  private static String send(HttpClient http, HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("HTTP " + response.statusCode() + " for " + response.uri().getPath());
    }
    return response.body().trim();
  }
}
