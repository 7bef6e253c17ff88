package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.aws.Ec2;
import io.etcdsnapshotter.config.AwsEndpoint;
import picocli.CommandLine.Option;

/** Where the EC2 API is and which instance this is; credentials only ever come from the SDK's default chain. */
final class AwsOptions {
  @Option(names = "--region", paramLabel = "REGION",
      description = "AWS region (default: AWS_REGION, the profile, or this instance's metadata).")
  String region;

  @Option(names = "--endpoint", paramLabel = "URL", description = "EC2 API endpoint (default: AWS's own).")
  String endpoint;

  @Option(names = "--instance-id", paramLabel = "ID",
      description = "This instance (default: from the instance metadata service, IMDSv2).")
  String instanceId;

  Ec2 connect() {
    return Ec2.connect(region, AwsEndpoint.parse(endpoint, "--endpoint"));
  }
}
