package io.etcdsnapshotter.s3;

import io.etcdsnapshotter.aws.AwsException;
import io.etcdsnapshotter.aws.SdkClients;
import java.net.URI;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 API as this tool uses it, set up as EC2's is ({@link SdkClients}); every failure turned into one line. */
public final class S3 implements AutoCloseable {
  private final S3Client client;
  private final String where;

  private S3(S3Client client, String where) {
    this.client = client;
    this.where = where;
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

  S3Client client() {
    return client;
  }

  /** Runs one request; {@code action} completes "cannot ..." in the message of a failure. */
  <T> T call(String action, Supplier<T> request) {
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
