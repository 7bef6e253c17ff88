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
    Map<String, String> all = new LinkedHashMap<>(tags);
    all.put(CREATED_BY, CREATED_BY_VALUE);
    all.put(CLUSTER, clusterName);
    TagSpecification tagging = TagSpecification.builder()
        .resourceType(ResourceType.SNAPSHOT).tags(VolumeTags.toTags(all)).build();
    return ec2.call("create a snapshot of volume " + volumeId, () -> ec2.client().createSnapshot(r -> r
        .volumeId(volumeId).description(description).tagSpecifications(tagging)).snapshotId());
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

  /** Deletes what {@code retention} lets go of; returns the ids deleted. */
  public List<String> expire(String volumeId, Retention retention, Instant now) {
    List<Snapshot> expired = retention.expired(list(volumeId), now);
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
