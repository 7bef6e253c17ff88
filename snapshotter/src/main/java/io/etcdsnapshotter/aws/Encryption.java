package io.etcdsnapshotter.aws;

import java.util.List;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * Whether EBS encrypts what holds the snapshot files: they carry every Secret of the cluster, and a StorageClass
 * without {@code encrypted: "true"} (an existing gp2 class, say) gives the PVC a plain volume, whose EBS snapshots
 * are plain too. Only EC2 knows what the volume really is.
 */
public final class Encryption {
  private final Ec2 ec2;

  public Encryption(Ec2 ec2) {
    this.ec2 = ec2;
  }

  public boolean volumeEncrypted(String volumeId) {
    List<Volume> volumes = ec2.call("describe volume " + volumeId,
        () -> ec2.client().describeVolumes(r -> r.volumeIds(volumeId)).volumes());
    if (volumes.isEmpty()) {
      throw new AwsException("EBS volume " + volumeId + " does not exist in this account and region");
    }
    return Boolean.TRUE.equals(volumes.get(0).encrypted());
  }

  public boolean snapshotEncrypted(String snapshotId) {
    List<Snapshot> snapshots = ec2.call("describe snapshot " + snapshotId,
        () -> ec2.client().describeSnapshots(r -> r.snapshotIds(snapshotId)).snapshots());
    if (snapshots.isEmpty()) {
      throw new AwsException("EBS snapshot " + snapshotId + " does not exist in this account and region");
    }
    return Boolean.TRUE.equals(snapshots.get(0).encrypted());
  }
}
