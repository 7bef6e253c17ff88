package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.aws.BroughtBackVolumes;
import io.etcdsnapshotter.aws.Ec2;
import io.etcdsnapshotter.aws.InstanceIdentity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(
    name = "volume-release",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Detaches from this instance and deletes the volumes volume-attach brought back to it (found by their tag).",
      "Unmount the volume first. With none brought back, there is nothing to do and it exits 0.",
      "Exit codes: 0 released, 1 AWS failed, 2 usage error."
    })
final class VolumeReleaseCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin AwsOptions aws;

  @Override
  public Integer call() {
    String instanceId = aws.instanceId != null ? aws.instanceId
        : InstanceIdentity.resolve(null, null).instanceId();
    try (Ec2 ec2 = aws.connect()) {
      List<String> released =
          new BroughtBackVolumes(ec2, Duration.ofSeconds(2), Duration.ofMinutes(10)).release(instanceId);
      released.forEach(id -> spec.commandLine().getOut().println("released " + id));
      if (released.isEmpty()) {
        spec.commandLine().getOut().println("no volume is brought back to " + instanceId);
      }
    }
    return 0;
  }
}
