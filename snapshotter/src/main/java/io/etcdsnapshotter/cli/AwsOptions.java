package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.aws.Ec2;
import io.etcdsnapshotter.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
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
    if (endpoint == null) {
      return Ec2.connect(region, null);
    }
    try {
      URI uri = new URI(endpoint);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new URISyntaxException(endpoint, "needs a scheme and a host");
      }
      return Ec2.connect(region, uri);
    } catch (URISyntaxException e) {
      throw new ConfigException("--endpoint '" + endpoint + "' is not a URL like https://ec2.eu-west-1.amazonaws.com");
    }
  }
}
