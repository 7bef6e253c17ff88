package io.etcdsnapshotter.aws;

import java.net.URI;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.SnapshotState;

/**
 * Keeps one cluster's EBS snapshots of its snapshot volume copied into another region, so that losing the region
 * (or the zone and the region's EBS with it) loses no backup. Each run copies the newest <em>completed</em> snapshot
 * not copied yet: EC2 copies only completed snapshots, and a run does not wait for the one it just started, so that
 * one follows with the next run. Copies expire by their own retention; as at the source, the newest completed copy
 * never does.
 */
public final class RegionCopies {
  private final EbsSnapshots source;
  private final String sourceRegion;
  private final String clusterName;

  public RegionCopies(Ec2 sourceEc2, EbsSnapshots source, String clusterName) {
    this.source = source;
    this.sourceRegion = sourceEc2.region();
    this.clusterName = clusterName;
  }

  /**
   * Copies the newest completed snapshot of {@code volumeId} into {@code region} unless it is there, expires the
   * copies {@code retention} lets go of; returns what it did in one line.
   */
  public String update(String volumeId, String region, String kmsKeyId, Retention retention, URI endpoint,
      boolean instanceMetadata, Instant now) {
    Snapshot newest = source.list(volumeId).stream().filter(s -> s.state() == SnapshotState.COMPLETED)
        .max(Comparator.comparing(Snapshot::startTime)).orElse(null);
    try (Ec2 target = Ec2.connect(region, endpoint, instanceMetadata)) {
      EbsSnapshots there = new EbsSnapshots(target, clusterName);
      String did;
      if (newest == null) {
        did = "no completed EBS snapshot of " + volumeId + " to copy to " + region + " yet";
      } else if (copied(there.copiesOf(volumeId), newest)) {
        did = "EBS snapshot " + newest.snapshotId() + " is in " + region + " already";
      } else {
        did = "copying EBS snapshot " + newest.snapshotId() + " to " + region + " as "
            + there.copy(newest, sourceRegion, kmsKeyId);
      }
      List<String> expired = there.expire(there.copiesOf(volumeId), retention, now);
      return did + (expired.isEmpty() ? "" : "; expired in " + region + " " + String.join(", ", expired));
    }
  }

  private static boolean copied(List<Snapshot> copies, Snapshot snapshot) {
    return copies.stream().anyMatch(copy -> snapshot.snapshotId()
        .equals(VolumeTags.toMap(copy.tags()).get(EbsSnapshots.COPY_OF)));
  }
}
