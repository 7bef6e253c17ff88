package io.etcdsnapshotter.s3;

import io.etcdsnapshotter.aws.AwsClient;
import io.etcdsnapshotter.aws.AwsException;
import io.etcdsnapshotter.aws.SdkClients;
import java.net.URI;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 API as this tool uses it, set up as EC2's is ({@link SdkClients}); every failure turned into one line. */
public final class S3 extends AwsClient<S3Client> {
  private S3(S3Client client, String where) {
    super(client, where);
  }

  /**
   * {@code region} null: the default chain; {@code endpoint} null: AWS's own, else addressed path-style (an endpoint
   * of one's own rarely resolves a name per bucket).
   */
  public static S3 connect(String region, URI endpoint, boolean instanceMetadata) {
    try {
      S3Client client = SdkClients.configure(S3Client.builder(), region, endpoint, instanceMetadata)
          .forcePathStyle(endpoint != null).build();
      return new S3(client, endpoint == null ? "S3" : "S3 at " + endpoint);
    } catch (SdkClientException e) {
      throw new AwsException("no AWS region: give one (s3.region in the config, --s3-region) or set AWS_REGION", e);
    }
  }
}
