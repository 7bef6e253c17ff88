package io.etcdsnapshotter.aws;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * What every AWS client of this tool shares: the JDK's URL connection (which streams a body of known length, so
 * memory stays flat whatever is sent) with bounded waits, credentials and region from the SDK's default chains only,
 * and without {@code instanceMetadata} never from the instance metadata service ({@link ChainsWithoutInstanceMetadata}).
 */
public final class SdkClients {
  private SdkClients() {}

  /** {@code region} null: the default chain; {@code endpoint} null: AWS's own. */
  public static <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder, String region,
      URI endpoint, boolean instanceMetadata) {
    builder.httpClient(UrlConnectionHttpClient.builder()
        .connectionTimeout(Duration.ofSeconds(5))
        .socketTimeout(Duration.ofSeconds(60))
        .build());
    if (!instanceMetadata) {
      builder.credentialsProvider(ChainsWithoutInstanceMetadata.credentials())
          .region(ChainsWithoutInstanceMetadata.region(region));
    } else if (region != null) {
      builder.region(Region.of(region));
    }
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder;
  }

  /** As {@link #configure}, for clients of small calls, each of which may take at most two minutes. */
  static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder, String region,
      URI endpoint, boolean instanceMetadata) {
    configure(builder, region, endpoint, instanceMetadata)
        .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofMinutes(2)));
    try {
      return builder.build();
    } catch (SdkClientException e) {
      throw new AwsException("no AWS region: give one (aws.region in the config, --region) or set AWS_REGION", e);
    }
  }
}
