package io.etcdsnapshotter.aws;

import java.net.URI;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The EC2 API as this tool uses it: credentials from the SDK's default chain only (web identity of a
 * ServiceAccount, instance profile, environment), never from config, the instance profile only where allowed;
 * every failure turned into one line.
 */
public final class Ec2 extends AwsClient<Ec2Client> {
  private Ec2(Ec2Client client, String where) {
    super(client, where);
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

  /** The region this client calls, however it was found. */
  public String region() {
    return client().serviceClientConfiguration().region().id();
  }
}
