package io.etcdsnapshotter.aws;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * How every AWS client of this tool is built: the JDK's URL connection client with bounded waits, credentials from
 * the SDK's default chain only (without the instance metadata service unless allowed), the region and endpoint given.
 */
final class SdkClients {
  private SdkClients() {}

  /**
   * {@code region} null: the default chain; {@code endpoint} null: AWS's own; without {@code instanceMetadata}
   * neither credentials nor region ever come from the instance metadata service
   * ({@link ChainsWithoutInstanceMetadata}).
   */
  static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder, String region,
      URI endpoint, boolean instanceMetadata) {
    builder.httpClient(UrlConnectionHttpClient.builder()
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
      return builder.build();
    } catch (SdkClientException e) {
      throw new AwsException("no AWS region: give one (aws.region in the config, --region) or set AWS_REGION", e);
    }
  }
}
