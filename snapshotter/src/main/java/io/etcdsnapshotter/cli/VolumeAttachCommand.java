package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.aws.AwsException;
import io.etcdsnapshotter.aws.BroughtBackVolumes;
import io.etcdsnapshotter.aws.Ec2;
import io.etcdsnapshotter.aws.InstanceIdentity;
import io.etcdsnapshotter.aws.NvmeDevice;
import io.etcdsnapshotter.config.ConfigException;
import io.etcdsnapshotter.config.DurationParser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.ec2.model.Snapshot;

@Command(
    name = "volume-attach",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Brings an EBS snapshot taken by the snapshot command back as a volume attached to this instance, for a"
          + " restore: creates the volume in this instance's zone, attaches it, waits for the disk, prints its path.",
      "Run again, it prints the device of the volume already brought back (with --snapshot-id, only when it is of"
          + " that snapshot). volume-release removes it.",
      "With --resolve-only it only prints the id of the snapshot it would bring back, changing nothing: what makes"
          + " every master of a whole-cluster restore bring back the same one.",
      "Exit codes: 0 attached, 1 AWS failed, no such snapshot of this cluster, or no disk appeared; 2 usage error."
    })
final class VolumeAttachCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin AwsOptions aws;

  @Option(names = "--snapshot-id", paramLabel = "ID|latest", defaultValue = "latest",
      description = "The EBS snapshot, or latest: the newest completed one of this cluster's with the --tag tags"
          + " (default). A snapshot of another cluster is refused.")
  String snapshotId;

  @Option(names = "--allow-other-cluster",
      description = "With --snapshot-id ID: bring back a snapshot of another cluster (or of none) on purpose.")
  boolean allowOtherCluster;

  @Option(names = "--tag", paramLabel = "KEY=VALUE",
      description = "With latest: only snapshots carrying this tag; repeatable, e.g."
          + " kubernetes.io/created-for/pvc/name=kube-etcd-snapshot-pvc.")
  Map<String, String> tags = new LinkedHashMap<>();

  @Option(names = "--availability-zone", paramLabel = "ZONE",
      description = "Zone of the new volume (default: this instance's, from the instance metadata service).")
  String availabilityZone;

  @Option(names = "--device", paramLabel = "NAME", defaultValue = "/dev/sdf",
      description = "Device name to attach as (default: /dev/sdf; Nitro instances show it as an NVMe disk).")
  String device;

  @Option(names = "--volume-type", paramLabel = "TYPE", defaultValue = "gp3",
      description = "EBS volume type (default: gp3).")
  String volumeType;

  @Option(names = "--resolve-only",
      description = "Print the id of the EBS snapshot (latest resolved to the newest, an id checked as above) and"
          + " stop: nothing is created or attached, and this instance is not looked up.")
  boolean resolveOnly;

  @Option(names = "--device-timeout", paramLabel = "DURATION", defaultValue = "2m",
      description = "Time to wait for the attached disk to appear in /dev before failing (default: 2m, at most 1h).")
  String deviceTimeout;

  @Override
  public Integer call() throws Exception {
    Duration deviceWait = DurationParser.parse(deviceTimeout, "--device-timeout", Duration.ofHours(1));
    if (!device.startsWith("/dev/")) {
      throw new ConfigException("--device '" + device + "' must be a device path such as /dev/sdf");
    }
    boolean latest = "latest".equals(snapshotId);
    if (allowOtherCluster && latest) {
      throw new ConfigException("--allow-other-cluster needs --snapshot-id ID: latest only ever picks a snapshot of"
          + " --cluster-name");
    }
    String clusterName = aws.clusterName();
    if (resolveOnly) {
      try (Ec2 ec2 = aws.connect()) {
        spec.commandLine().getOut().println(chosen(new BroughtBackVolumes(ec2, clusterName, Duration.ofSeconds(2),
            Duration.ofMinutes(10)), latest).snapshotId());
      }
      return 0;
    }
    InstanceIdentity instance = InstanceIdentity.resolve(aws.instanceId, availabilityZone);
    try (Ec2 ec2 = aws.connect()) {
      BroughtBackVolumes volumes =
          new BroughtBackVolumes(ec2, clusterName, Duration.ofSeconds(2), Duration.ofMinutes(10));
      // Reusing a volume of another snapshot would restore other data than asked for, on this master alone.
      volumes.broughtBackFrom(instance.instanceId()).filter(from -> !latest && !from.equals(snapshotId))
          .ifPresent(from -> {
            throw new AwsException("the volume brought back to " + instance.instanceId() + " before is from EBS"
                + " snapshot " + from + ", not " + snapshotId + ": release it (volume-release) to bring " + snapshotId
                + " back, or give --snapshot-id " + from);
          });
      String volumeId = volumes.bringBack(instance, volumeType, device, () -> chosen(volumes, latest));
      Path path = NvmeDevice.find(NvmeDevice.BY_ID, volumeId, Path.of(device), deviceWait);
      spec.commandLine().getOut().println(path);
    }
    return 0;
  }

  private Snapshot chosen(BroughtBackVolumes volumes, boolean latest) {
    return latest ? volumes.newest(tags) : volumes.byId(snapshotId, allowOtherCluster);
  }
}
