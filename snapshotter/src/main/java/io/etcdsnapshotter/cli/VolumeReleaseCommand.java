package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.aws.AwsException;
import io.etcdsnapshotter.aws.BroughtBackVolumes;
import io.etcdsnapshotter.aws.Ec2;
import io.etcdsnapshotter.aws.InstanceIdentity;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(
    name = "volume-release",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Detaches from this instance and deletes the volumes volume-attach brought back to it for --cluster-name:"
          + " found by their tag, and deleted only when also created from the snapshot they name and carrying no"
          + " PersistentVolume's tags. Any other volume tagged so is left alone and named.",
      "Unmount the volume first. With none brought back, there is nothing to do and it exits 0.",
      "Exit codes: 0 released, 1 AWS failed or a volume tagged as brought back was left alone, 2 usage error."
    })
final class VolumeReleaseCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin AwsOptions aws;

  @Override
  public Integer call() {
    String clusterName = aws.clusterName();
    String instanceId = aws.instanceId != null ? aws.instanceId
        : InstanceIdentity.resolve(null, null).instanceId();
    try (Ec2 ec2 = aws.connect()) {
      BroughtBackVolumes.Release release =
          new BroughtBackVolumes(ec2, clusterName, Duration.ofSeconds(2), Duration.ofMinutes(10)).release(instanceId);
      release.released().forEach(id -> spec.commandLine().getOut().println("released " + id));
      if (!release.leftAlone().isEmpty()) {
        throw new AwsException(release.leftAlone().entrySet().stream()
            .map(e -> "left volume " + e.getKey() + " alone: " + e.getValue())
            .collect(Collectors.joining("; ")) + "; look at it and delete it by hand if it is a restore's");
      }
      if (release.released().isEmpty()) {
        spec.commandLine().getOut().println("no volume is brought back to " + instanceId);
      }
    }
    return 0;
  }
}
