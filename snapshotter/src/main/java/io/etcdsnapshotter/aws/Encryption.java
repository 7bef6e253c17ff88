package io.etcdsnapshotter.aws;

import java.util.List;
import java.util.function.Supplier;

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
    return Boolean.TRUE.equals(only("volume " + volumeId,
        () -> ec2.client().describeVolumes(r -> r.volumeIds(volumeId)).volumes()).encrypted());
  }

  public boolean snapshotEncrypted(String snapshotId) {
    return Boolean.TRUE.equals(only("snapshot " + snapshotId,
        () -> ec2.client().describeSnapshots(r -> r.snapshotIds(snapshotId)).snapshots()).encrypted());
  }

  /** The one {@code what} (e.g. "volume vol-...") the request describes; fails naming it when there is none. */
  private <T> T only(String what, Supplier<List<T>> describe) {
    List<T> found = ec2.call("describe " + what, describe);
    if (found.isEmpty()) {
      throw new AwsException("EBS " + what + " does not exist in this account and region");
    }
    return found.get(0);
  }
}
