package io.etcdsnapshotter.aws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.retry.backoff.FixedDelayBackoffStrategy;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.SnapshotState;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttachment;
import software.amazon.awssdk.services.ec2.model.VolumeState;
import software.amazon.awssdk.services.ec2.waiters.Ec2Waiter;

/**
 * Volumes made from one cluster's EBS snapshots for a restore, attached to one instance and tagged with it, so that a
 * second attach finds the first one and a release finds them all without being told their ids. A tag alone proves
 * nothing (another role may be able to write it), so a volume counts as brought back only when it also was created
 * from the snapshot it names, carries the cluster's name, and looks like no PersistentVolume's and not like the
 * snapshot volume: only such volumes are ever reused, detached or deleted.
 */
public final class BroughtBackVolumes {
  public static final String FROM = "etcd-snapshotter/brought-back-from";
  public static final String TO = "etcd-snapshotter/brought-back-to";
  private static final Set<String> OURS = Set.of(FROM, TO, EbsSnapshots.CLUSTER);
  /** What provisioners (in-tree, CSI) put on the volume of a PersistentVolume; ours never carry them. */
  private static final List<String> VOLUME_OF_A_PV = List.of("kubernetes.io/", "KubernetesCluster", "CSIVolumeName",
      "ebs.csi.aws.com/");
  private static final Logger LOG = LoggerFactory.getLogger(BroughtBackVolumes.class);
  private final Ec2 ec2;
  private final String clusterName;
  private final Ec2Waiter waiter;

  /** What a release did: the volumes deleted, and those tagged as brought back that it left alone, with why. */
  public record Release(List<String> released, Map<String, String> leftAlone) {}

  public BroughtBackVolumes(Ec2 ec2, String clusterName, Duration poll, Duration timeout) {
    this.ec2 = ec2;
    this.clusterName = clusterName;
    this.waiter = Ec2Waiter.builder().client(ec2.client())
        .overrideConfiguration(WaiterOverrideConfiguration.builder()
            .backoffStrategy(FixedDelayBackoffStrategy.create(poll)).waitTimeout(timeout).maxAttempts(100_000).build())
        .build();
  }

  /** The newest completed snapshot of this cluster's that carries all of {@code tags}. */
  public Snapshot newest(Map<String, String> tags) {
    return new EbsSnapshots(ec2, clusterName).listTagged(tags).stream()
        .filter(s -> s.state() == SnapshotState.COMPLETED)
        .max(Comparator.comparing(Snapshot::startTime))
        .orElseThrow(() -> new AwsException("no completed EBS snapshot of etcd-snapshotter for cluster " + clusterName
            + (tags.isEmpty() ? "" : " tagged " + tags) + " in this account and region"));
  }

  /** The snapshot with this id, completed and of this cluster, or of any cluster when {@code anyCluster}. */
  public Snapshot byId(String snapshotId, boolean anyCluster) {
    List<Snapshot> found = ec2.call("describe snapshot " + snapshotId,
        () -> ec2.client().describeSnapshots(r -> r.snapshotIds(snapshotId)).snapshots());
    if (found.isEmpty() || found.get(0).state() != SnapshotState.COMPLETED) {
      throw new AwsException("EBS snapshot " + snapshotId + " is "
          + (found.isEmpty() ? "not there" : found.get(0).stateAsString()) + ": give a completed one");
    }
    String owner = VolumeTags.toMap(found.get(0).tags()).get(EbsSnapshots.CLUSTER);
    if (!anyCluster && !clusterName.equals(owner)) {
      throw new AwsException("EBS snapshot " + snapshotId + (owner == null ? " carries no " + EbsSnapshots.CLUSTER
          + " tag" : " is of cluster " + owner) + ", not of " + clusterName + ": give a snapshot of " + clusterName
          + ", or --allow-other-cluster to restore another cluster's data on purpose");
    }
    return found.get(0);
  }

  /**
   * The volume brought back to this instance before, attached again if a failed run left it detached; or a new one
   * from {@code snapshot}, created in the instance's zone and attached as {@code device}. Returns its id.
   */
  public String bringBack(InstanceIdentity instance, String volumeType, String device, Supplier<Snapshot> snapshot) {
    Optional<Volume> existing = ours(instance.instanceId(), new LinkedHashMap<>()).stream().findFirst();
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

  /** The snapshot of the volume brought back to {@code instanceId} before, if there is one. */
  public Optional<String> broughtBackFrom(String instanceId) {
    return ours(instanceId, new LinkedHashMap<>()).stream().findFirst().map(Volume::snapshotId);
  }

  /** Creates a volume from the snapshot in {@code zone} and waits until it is available. */
  private String create(Snapshot snapshot, String zone, String instanceId, String volumeType) {
    TagSpecification tags = TagSpecification.builder().resourceType(ResourceType.VOLUME).tags(VolumeTags.toTags(
        Map.of(FROM, snapshot.snapshotId(), TO, instanceId, EbsSnapshots.CLUSTER, clusterName))).build();
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

  /**
   * Detaches (from this instance only) and deletes every volume brought back to it; a volume only tagged so is left
   * alone and reported.
   */
  public Release release(String instanceId) {
    Map<String, String> leftAlone = new LinkedHashMap<>();
    List<String> released = new ArrayList<>();
    for (Volume volume : ours(instanceId, leftAlone)) {
      String id = volume.volumeId();
      if (volume.state() == VolumeState.IN_USE) {
        ec2.call("detach volume " + id + " from " + instanceId,
            () -> ec2.client().detachVolume(r -> r.volumeId(id).instanceId(instanceId)));
        ec2.call("wait for volume " + id + " to be detached",
            () -> waiter.waitUntilVolumeAvailable(r -> r.volumeIds(id)));
      }
      ec2.call("delete volume " + id, () -> ec2.client().deleteVolume(r -> r.volumeId(id)));
      released.add(id);
    }
    return new Release(released, leftAlone);
  }

  /** The volumes provably brought back to this instance; the others tagged so go to {@code leftAlone}, with why. */
  private List<Volume> ours(String instanceId, Map<String, String> leftAlone) {
    List<Volume> tagged = ec2.call("list the volumes brought back to " + instanceId, () -> ec2.client()
        .describeVolumesPaginator(r -> r.filters(f -> f.name("tag:" + TO).values(instanceId)))
        .volumes().stream().filter(v -> v.state() != VolumeState.DELETING && v.state() != VolumeState.DELETED)
        .toList());
    List<Volume> proven = new ArrayList<>();
    for (Volume volume : tagged) {
      String doubt = doubt(volume, instanceId);
      if (doubt == null) {
        proven.add(volume);
      } else {
        LOG.warn("volume {} is tagged {}={} but left alone: {}", volume.volumeId(), TO, instanceId, doubt);
        leftAlone.put(volume.volumeId(), doubt);
      }
    }
    return proven;
  }

  /** Why {@code volume} cannot be one this tool brought back to {@code instanceId}; null when it is one. */
  private String doubt(Volume volume, String instanceId) {
    Map<String, String> tags = VolumeTags.toMap(volume.tags());
    if (!clusterName.equals(tags.get(EbsSnapshots.CLUSTER))) {
      return "it is not tagged " + EbsSnapshots.CLUSTER + "=" + clusterName;
    }
    Optional<String> foreign = tags.keySet().stream().filter(key -> !OURS.contains(key)
        && (key.startsWith("etcd-snapshotter/") || VOLUME_OF_A_PV.stream().anyMatch(key::startsWith))).findFirst();
    if (foreign.isPresent()) {
      return "it carries tag " + foreign.get() + ", so it may back a PersistentVolume or be the snapshot volume";
    }
    String source = volume.snapshotId();
    if (source == null || source.isEmpty() || !source.equals(tags.get(FROM))) {
      return "it was not created from the snapshot its " + FROM + " tag names";
    }
    Optional<String> elsewhere = volume.attachments().stream().map(VolumeAttachment::instanceId)
        .filter(attached -> !attached.equals(instanceId)).findFirst();
    if (elsewhere.isPresent()) {
      return "it is attached to " + elsewhere.get();
    }
    List<Snapshot> snapshot = ec2.call("describe snapshot " + source, () -> ec2.client().describeSnapshots(r -> r
        .filters(Filter.builder().name("snapshot-id").values(source).build(),
            Filter.builder().name("tag:" + EbsSnapshots.CREATED_BY).values(EbsSnapshots.CREATED_BY_VALUE).build()))
        .snapshots());
    return snapshot.isEmpty() ? "its snapshot " + source + " is gone or was not taken by etcd-snapshotter" : null;
  }
}
