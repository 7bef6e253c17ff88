package io.etcdsnapshotter.aws;

import io.etcdsnapshotter.OneLine;
import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;

/**
 * The EC2 API as this tool uses it: credentials from the SDK's default chain only (web identity of a
 * ServiceAccount, instance profile, environment), never from config, the instance profile only where allowed;
 * every failure turned into one line.
 */
public final class Ec2 implements AutoCloseable {
  private final Ec2Client client;
  private final String where;

  private Ec2(Ec2Client client, String where) {
    this.client = client;
    this.where = where;
  }

  /** {@code region} null: the default chain (AWS_REGION, profile, instance metadata); {@code endpoint} null: AWS's. */
  public static Ec2 connect(String region, URI endpoint) {
    return connect(region, endpoint, true);
  }

  /**
   * As above; without {@code instanceMetadata} neither credentials nor region ever come from the instance metadata
   * service ({@link ChainsWithoutInstanceMetadata}).
   */
  public static Ec2 connect(String region, URI endpoint, boolean instanceMetadata) {
    Ec2ClientBuilder builder = Ec2Client.builder()
        .httpClient(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(60))
            .build())
        .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofMinutes(2)));
    if (!instanceMetadata) {
      builder.credentialsProvider(ChainsWithoutInstanceMetadata.credentials())
          .region(ChainsWithoutInstanceMetadata.region(region));
    } else if (region != null) {
      builder.region(Region.of(region));
    }
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    try {
      return new Ec2(builder.build(), endpoint == null ? "EC2" : "EC2 at " + endpoint);
    } catch (SdkClientException e) {
      throw new AwsException("no AWS region: give one (aws.region in the config, --region) or set AWS_REGION", e);
    }
  }

  public Ec2Client client() {
    return client;
  }

  /** The region this client calls, however it was found. */
  public String region() {
    return client.serviceClientConfiguration().region().id();
  }

  /** Runs one request; {@code action} completes "cannot ..." in the message of a failure. */
  public <T> T call(String action, Supplier<T> request) {
    try {
      return request.get();
    } catch (SdkException e) {
      throw new AwsException(where + ": cannot " + action + ": " + reason(e), e);
    }
  }

  private static String reason(SdkException e) {
    if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
      return service.awsErrorDetails().errorCode() + ": " + service.awsErrorDetails().errorMessage();
    }
    return OneLine.rootMessage(e);
  }

  @Override
  public void close() {
    client.close();
  }
}
