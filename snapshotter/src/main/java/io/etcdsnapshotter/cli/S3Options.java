package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.config.ServiceUrl;
import io.etcdsnapshotter.s3.S3;
import picocli.CommandLine.Option;

/**
 * Where an {@code s3://} snapshot is read from; credentials come from the SDK's default chain only (on a master, its
 * instance profile).
 */
final class S3Options {
  @Option(names = "--s3-endpoint", paramLabel = "URL",
      description = "S3 API endpoint for an s3:// snapshot (default: AWS's own).")
  String endpoint;

  @Option(names = "--s3-region", paramLabel = "REGION",
      description = "The bucket's region (default: AWS_REGION, the profile, or this instance's metadata).")
  String region;

  S3 connect() {
    return S3.connect(region, ServiceUrl.parse(endpoint, "--s3-endpoint", ServiceUrl.S3_EXAMPLE), true);
  }
}
