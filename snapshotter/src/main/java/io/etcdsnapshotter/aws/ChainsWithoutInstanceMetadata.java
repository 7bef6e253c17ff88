package io.etcdsnapshotter.aws;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;

/**
 * The SDK's default credential and region chains without their last link, the instance metadata service. The
 * CronJob shares the master's network, so that service, and the master's instance profile behind it, answer the
 * pod as they answer the master: unless the config allows it, the pod's AWS identity must be its own (IRSA's web
 * identity, EKS Pod Identity's container credentials, or keys in the environment) and the region given.
 */
final class ChainsWithoutInstanceMetadata {
  private static final String OPT_IN = "the instance metadata is not asked unless aws.useInstanceMetadata is true";

  private ChainsWithoutInstanceMetadata() {}

  /** Resolved once here, so that a pod without an identity fails with one line naming the ways to give it one. */
  static AwsCredentialsProvider credentials() {
    AwsCredentialsProvider chain = AwsCredentialsProviderChain.builder().reuseLastProviderEnabled(true)
        .credentialsProviders(
            SystemPropertyCredentialsProvider.create(),
            EnvironmentVariableCredentialsProvider.create(),
            WebIdentityTokenFileCredentialsProvider.create(),
            ProfileCredentialsProvider.create(),
            ContainerCredentialsProvider.builder().build())
        .build();
    try {
      chain.resolveCredentials();
      return chain;
    } catch (SdkClientException e) {
      throw new AwsException("no AWS credentials: give the pod an IAM role (IRSA: etcd_snapshot:aws:role_arn,"
          + " or EKS Pod Identity) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; " + OPT_IN, e);
    }
  }

  /** {@code configured} if given, else AWS_REGION (or the aws.region system property), else the profile's. */
  static Region region(String configured) {
    if (configured != null) {
      return Region.of(configured);
    }
    try {
      return new AwsRegionProviderChain(new SystemSettingsRegionProvider(), new AwsProfileRegionProvider())
          .getRegion();
    } catch (SdkClientException e) {
      throw new AwsException("no AWS region: set aws.region in the config (or AWS_REGION); " + OPT_IN, e);
    }
  }
}
