package io.etcdsnapshotter.aws;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.retry.backoff.FixedDelayBackoffStrategy;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.SnapshotState;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeState;
import software.amazon.awssdk.services.ec2.waiters.Ec2Waiter;

/**
 * Volumes made from our EBS snapshots for a restore, attached to one instance and tagged with it, so that a
 * second attach finds the first one and a release finds them all without being told their ids.
 */
public final class BroughtBackVolumes {
  public static final String FROM = "etcd-snapshotter/brought-back-from";
  public static final String TO = "etcd-snapshotter/brought-back-to";
  private static final Logger LOG = LoggerFactory.getLogger(BroughtBackVolumes.class);
  private final Ec2 ec2;
  private final Ec2Waiter waiter;

  public BroughtBackVolumes(Ec2 ec2, Duration poll, Duration timeout) {
    this.ec2 = ec2;
    this.waiter = Ec2Waiter.builder().client(ec2.client())
        .overrideConfiguration(WaiterOverrideConfiguration.builder()
            .backoffStrategy(FixedDelayBackoffStrategy.create(poll)).waitTimeout(timeout).maxAttempts(100_000).build())
        .build();
  }

  /** The newest completed snapshot of ours that carries all of {@code tags}. */
  public Snapshot newest(Map<String, String> tags) {
    return new EbsSnapshots(ec2).listTagged(tags).stream()
        .filter(s -> s.state() == SnapshotState.COMPLETED)
        .max(Comparator.comparing(Snapshot::startTime))
        .orElseThrow(() -> new AwsException("no completed EBS snapshot of etcd-snapshotter"
            + (tags.isEmpty() ? "" : " tagged " + tags) + " in this account and region"));
  }

  public Snapshot byId(String snapshotId) {
    List<Snapshot> found = ec2.call("describe snapshot " + snapshotId,
        () -> ec2.client().describeSnapshots(r -> r.snapshotIds(snapshotId)).snapshots());
    if (found.isEmpty() || found.get(0).state() != SnapshotState.COMPLETED) {
      throw new AwsException("EBS snapshot " + snapshotId + " is "
          + (found.isEmpty() ? "not there" : found.get(0).stateAsString()) + ": give a completed one");
    }
    return found.get(0);
  }

  /**
   * The volume brought back to this instance before, attached again if a failed run left it detached; or a new one
   * from {@code snapshot}, created in the instance's zone and attached as {@code device}. Returns its id.
   */
  public String bringBack(InstanceIdentity instance, String volumeType, String device, Supplier<Snapshot> snapshot) {
    Optional<Volume> existing = ours(instance.instanceId()).stream().findFirst();
    if (existing.isPresent() && existing.get().state() == VolumeState.IN_USE) {
      LOG.info("volume {} is already brought back to {}", existing.get().volumeId(), instance.instanceId());
      return existing.get().volumeId();
    }
    String volumeId;
    if (existing.isPresent()) {
      volumeId = existing.get().volumeId();
    } else {
      Snapshot source = snapshot.get();
      volumeId = create(source, instance.availabilityZone(), instance.instanceId(), volumeType);
      LOG.info("created volume {} from {} (taken {}) in {}", volumeId, source.snapshotId(), source.startTime(),
          instance.availabilityZone());
    }
    attach(volumeId, instance.instanceId(), device);
    LOG.info("attached volume {} to {} as {}", volumeId, instance.instanceId(), device);
    return volumeId;
  }

  /** Creates a volume from the snapshot in {@code zone} and waits until it is available. */
  private String create(Snapshot snapshot, String zone, String instanceId, String volumeType) {
    TagSpecification tags = TagSpecification.builder().resourceType(ResourceType.VOLUME)
        .tags(VolumeTags.toTags(Map.of(FROM, snapshot.snapshotId(), TO, instanceId))).build();
    String volumeId = ec2.call("create a volume from " + snapshot.snapshotId() + " in " + zone,
        () -> ec2.client().createVolume(r -> r.snapshotId(snapshot.snapshotId()).availabilityZone(zone)
            .volumeType(volumeType).tagSpecifications(tags)).volumeId());
    ec2.call("wait for volume " + volumeId + " to become available",
        () -> waiter.waitUntilVolumeAvailable(r -> r.volumeIds(volumeId)));
    return volumeId;
  }

  /** Attaches the volume as {@code device} and waits until it is in use. */
  private void attach(String volumeId, String instanceId, String device) {
    ec2.call("attach volume " + volumeId + " to " + instanceId + " as " + device,
        () -> ec2.client().attachVolume(r -> r.volumeId(volumeId).instanceId(instanceId).device(device)));
    ec2.call("wait for volume " + volumeId + " to be attached",
        () -> waiter.waitUntilVolumeInUse(r -> r.volumeIds(volumeId)));
  }

  /** Detaches (from this instance only) and deletes every volume brought back to it; returns their ids. */
  public List<String> release(String instanceId) {
    List<Volume> volumes = ours(instanceId);
    for (Volume volume : volumes) {
      String id = volume.volumeId();
      if (volume.state() == VolumeState.IN_USE) {
        ec2.call("detach volume " + id + " from " + instanceId,
            () -> ec2.client().detachVolume(r -> r.volumeId(id).instanceId(instanceId)));
        ec2.call("wait for volume " + id + " to be detached",
            () -> waiter.waitUntilVolumeAvailable(r -> r.volumeIds(id)));
      }
      ec2.call("delete volume " + id, () -> ec2.client().deleteVolume(r -> r.volumeId(id)));
    }
    return volumes.stream().map(Volume::volumeId).toList();
  }

  private List<Volume> ours(String instanceId) {
    return ec2.call("list the volumes brought back to " + instanceId, () -> ec2.client()
        .describeVolumesPaginator(r -> r.filters(f -> f.name("tag:" + TO).values(instanceId)))
        .volumes().stream().filter(v -> v.state() != VolumeState.DELETING && v.state() != VolumeState.DELETED)
        .toList());
  }
}
