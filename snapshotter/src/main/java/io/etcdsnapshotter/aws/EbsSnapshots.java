package io.etcdsnapshotter.aws;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * The EBS snapshots this tool takes of one cluster's snapshot volume. Ours carry {@link #CREATED_BY} and the
 * cluster's name as {@link #CLUSTER}; listing always filters on both (and on the volume id) server-side, page by
 * page, so snapshots of other clusters and tools in the account are never even read, let alone expired or restored.
 */
public final class EbsSnapshots {
  public static final String CREATED_BY = "etcd-snapshotter/created-by";
  public static final String CREATED_BY_VALUE = "etcd-snapshotter";
  /** The identity of a snapshot, also on the volume it was taken of and on every volume brought back from it. */
  public static final String CLUSTER = "etcd-snapshotter/cluster";
  /** On a copy in another region: the id of the snapshot it copies, and the volume that one was taken of. */
  public static final String COPY_OF = "etcd-snapshotter/copy-of";
  public static final String COPY_OF_VOLUME = "etcd-snapshotter/copy-of-volume";
  private static final int PAGE = 500;
  private final Ec2 ec2;
  private final String clusterName;

  public EbsSnapshots(Ec2 ec2, String clusterName) {
    this.ec2 = ec2;
    this.clusterName = clusterName;
  }

  /**
   * Starts a snapshot of the volume, tagged with {@code tags}, our marker and the cluster; returns its id without
   * waiting.
   */
  public String create(String volumeId, Map<String, String> tags, String description) {
    return ec2.call("create a snapshot of volume " + volumeId, () -> ec2.client().createSnapshot(r -> r
        .volumeId(volumeId).description(description).tagSpecifications(ours(tags))).snapshotId());
  }

  /**
   * Starts a copy of {@code source}, a snapshot of ours in {@code sourceRegion}, in this client's region: encrypted
   * whatever the source is (with {@code kmsKeyId}, {@code null}: the region's default EBS key), tagged as the source
   * plus {@link #COPY_OF} and {@link #COPY_OF_VOLUME}, so that it is found, expired and brought back as ours. Returns
   * its id without waiting.
   */
  public String copy(Snapshot source, String sourceRegion, String kmsKeyId) {
    Map<String, String> tags = VolumeTags.userTags(VolumeTags.toMap(source.tags()));
    tags.put(COPY_OF, source.snapshotId());
    tags.put(COPY_OF_VOLUME, source.volumeId());
    // The destination region, given, spares the SDK's presigning from guessing it from the endpoint's host name.
    return ec2.call("copy snapshot " + source.snapshotId() + " from " + sourceRegion, () -> ec2.client()
        .copySnapshot(r -> r.sourceSnapshotId(source.snapshotId()).sourceRegion(sourceRegion)
            .destinationRegion(ec2.region()).encrypted(true)
            .kmsKeyId(kmsKeyId).tagSpecifications(ours(tags))
            .description("etcd-snapshotter copy of " + source.snapshotId() + " (" + sourceRegion + ")"))
        .snapshotId());
  }

  /** The tags given, our marker and the cluster, for a snapshot being created. */
  private TagSpecification ours(Map<String, String> tags) {
    Map<String, String> all = new LinkedHashMap<>(tags);
    all.put(CREATED_BY, CREATED_BY_VALUE);
    all.put(CLUSTER, clusterName);
    return TagSpecification.builder().resourceType(ResourceType.SNAPSHOT).tags(VolumeTags.toTags(all)).build();
  }

  /** Ours of this volume and cluster, in no particular order. */
  public List<Snapshot> list(String volumeId) {
    return list(List.of(ours(), cluster(), Filter.builder().name("volume-id").values(volumeId).build()),
        "list the snapshots of volume " + volumeId);
  }

  /** Ours of this cluster whose tags match all of {@code tags}, of any volume. */
  public List<Snapshot> listTagged(Map<String, String> tags) {
    List<Filter> filters = new ArrayList<>(List.of(ours(), cluster()));
    tags.forEach((key, value) -> filters.add(Filter.builder().name("tag:" + key).values(value).build()));
    return list(filters, "list snapshots tagged " + tags);
  }

  /** The copies in this client's region of the snapshots of {@code volumeId}, in no particular order. */
  public List<Snapshot> copiesOf(String volumeId) {
    return listTagged(Map.of(COPY_OF_VOLUME, volumeId));
  }

  /** Deletes what {@code retention} lets go of among {@code snapshots}, all ours; returns the ids deleted. */
  public List<String> expire(List<Snapshot> snapshots, Retention retention, Instant now) {
    List<Snapshot> expired = retention.expired(snapshots, now);
    for (Snapshot snapshot : expired) {
      ec2.call("delete expired snapshot " + snapshot.snapshotId(),
          () -> ec2.client().deleteSnapshot(r -> r.snapshotId(snapshot.snapshotId())));
    }
    return expired.stream().map(Snapshot::snapshotId).toList();
  }

  private List<Snapshot> list(List<Filter> filters, String action) {
    return ec2.call(action, () -> ec2.client()
        .describeSnapshotsPaginator(r -> r.ownerIds("self").filters(filters).maxResults(PAGE))
        .snapshots().stream().toList());
  }

  private static Filter ours() {
    return Filter.builder().name("tag:" + CREATED_BY).values(CREATED_BY_VALUE).build();
  }

  private Filter cluster() {
    return Filter.builder().name("tag:" + CLUSTER).values(clusterName).build();
  }
}
