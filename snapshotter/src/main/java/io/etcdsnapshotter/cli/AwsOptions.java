package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.aws.Ec2;
import io.etcdsnapshotter.config.ServiceUrl;
import io.etcdsnapshotter.config.ClusterName;
import picocli.CommandLine.Option;

/**
 * Where the EC2 API is, which instance this is and which cluster's snapshots it may touch; credentials only ever come
 * from the SDK's default chain.
 */
final class AwsOptions {
  @Option(names = "--cluster-name", paramLabel = "NAME", required = true,
      description = "This Kubernetes cluster's name, as the snapshot command tags it (pillar cluster_name): only its"
          + " EBS snapshots and the volumes brought back for it are found, used and released.")
  String clusterName;

  @Option(names = "--region", paramLabel = "REGION",
      description = "AWS region (default: AWS_REGION, the profile, or this instance's metadata).")
  String region;

  @Option(names = "--endpoint", paramLabel = "URL", description = "EC2 API endpoint (default: AWS's own).")
  String endpoint;

  @Option(names = "--instance-id", paramLabel = "ID",
      description = "This instance (default: from the instance metadata service, IMDSv2).")
  String instanceId;

  String clusterName() {
    return ClusterName.parse(clusterName, "--cluster-name");
  }

  Ec2 connect() {
    return Ec2.connect(region, ServiceUrl.parse(endpoint, "--endpoint", ServiceUrl.EC2_EXAMPLE));
  }
}
