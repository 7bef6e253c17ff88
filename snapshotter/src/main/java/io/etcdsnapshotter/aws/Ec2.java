package io.etcdsnapshotter.aws;

import java.net.URI;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;

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
    return new Ec2(SdkClients.build(Ec2Client.builder(), region, endpoint, instanceMetadata),
        endpoint == null ? "EC2" : "EC2 at " + endpoint);
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
      throw AwsException.failed(where, action, e);
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
