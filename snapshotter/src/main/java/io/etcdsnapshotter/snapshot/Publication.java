package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.aws.AwsException;
import io.etcdsnapshotter.aws.EbsSnapshots;
import io.etcdsnapshotter.aws.Ec2;
import io.etcdsnapshotter.aws.Retention;
import io.etcdsnapshotter.aws.VolumeTags;
import io.etcdsnapshotter.config.PublishConfig;
import io.etcdsnapshotter.kube.KubeException;
import io.etcdsnapshotter.kube.SnapshotClaim;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reports a run once its files are committed: tags the EBS volume and takes an EBS snapshot (only when every
 * cluster was saved), annotates the PVC and writes an Event (Normal, or Warning when anything failed). A failure
 * here never touches the files: its message says which of them are valid.
 */
final class Publication {
  private static final String ANNOTATION = "etcd-snapshotter.io/";
  private static final String TAG = "etcd-snapshotter/";
  private final PublishConfig config;

  Publication(PublishConfig config) {
    this.config = config;
  }

  PublishOutcome publish(List<ClusterOutcome> clusters, Instant at) {
    if (!config.enabled()) {
      return PublishOutcome.NONE;
    }
    List<String> done = new ArrayList<>();
    String failure = null;
    try (SnapshotClaim claim = config.kubernetes() == null ? null
        : SnapshotClaim.connect(config.kubernetes().namespace(), config.kubernetes().pvc())) {
      try {
        publishTo(claim, clusters, at, done);
      } catch (AwsException | KubeException e) {
        failure = e.getMessage() + "; " + filesStatement(clusters);
      }
      failure = recordEvent(claim, clusters, failure);
    } catch (KubeException e) {
      failure = e.getMessage() + "; " + filesStatement(clusters);
    }
    return new PublishOutcome(List.copyOf(done), failure);
  }

  private void publishTo(SnapshotClaim claim, List<ClusterOutcome> clusters, Instant at, List<String> done) {
    Map<String, String> annotations = new LinkedHashMap<>();
    if (config.aws() != null && clusters.stream().allMatch(ClusterOutcome::ok)) {
      String volumeId = config.aws().volumeId() != null ? config.aws().volumeId() : claim.ebsVolumeId();
      String snapshotId = publishToAws(volumeId, clusters, at, done);
      if (snapshotId != null) {
        annotations.put(ANNOTATION + "ebs-snapshot", snapshotId);
      }
    }
    if (claim != null) {
      annotations.putAll(annotations(clusters, at));
      claim.annotate(annotations);
      done.add("annotated PVC " + config.kubernetes().namespace() + "/" + config.kubernetes().pvc());
    }
  }

  /** Returns the id of the EBS snapshot started, or null when EBS snapshots are off. */
  private String publishToAws(String volumeId, List<ClusterOutcome> clusters, Instant at, List<String> done) {
    PublishConfig.Aws aws = config.aws();
    try (Ec2 ec2 = Ec2.connect(aws.region(), aws.endpoint(), aws.useInstanceMetadata())) {
      VolumeTags volumeTags = new VolumeTags(ec2);
      Map<String, String> tags = userTags(volumeTags.read(volumeId));
      Map<String, String> facts = new LinkedHashMap<>(aws.tags());
      facts.put(TAG + "last-run", at.toString());
      clusters.forEach(c -> facts.put(TAG + "revision/" + c.cluster(), c.entry().revision.toString()));
      volumeTags.write(volumeId, facts);
      done.add("tagged EBS volume " + volumeId);
      if (aws.ebsSnapshots() == null) {
        return null;
      }
      tags.putAll(facts);
      clusters.forEach(c -> tags.put(TAG + "sha256/" + c.cluster(), c.entry().sha256));
      EbsSnapshots snapshots = new EbsSnapshots(ec2);
      String snapshotId = snapshots.create(volumeId, tags, "etcd-snapshotter run of " + at);
      List<String> expired = snapshots.expire(volumeId,
          new Retention(aws.ebsSnapshots().keep(), aws.ebsSnapshots().maxAge()), at);
      done.add("started EBS snapshot " + snapshotId + " of " + volumeId
          + (expired.isEmpty() ? "" : "; expired " + String.join(", ", expired)));
      return snapshotId;
    }
  }

  /** Tags AWS reserves ({@code aws:...}) cannot be copied onto a snapshot. */
  private static Map<String, String> userTags(Map<String, String> tags) {
    Map<String, String> result = new LinkedHashMap<>(tags);
    result.keySet().removeIf(key -> key.startsWith("aws:"));
    return result;
  }

  private static Map<String, String> annotations(List<ClusterOutcome> clusters, Instant at) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(ANNOTATION + "last-run", at.toString());
    annotations.put(ANNOTATION + "last-result", clusters.stream().allMatch(ClusterOutcome::ok) ? "ok" : "failed");
    for (ClusterOutcome c : clusters) {
      if (c.ok()) {
        annotations.put(ANNOTATION + c.cluster() + ".revision", c.entry().revision.toString());
        annotations.put(ANNOTATION + c.cluster() + ".sha256", c.entry().sha256);
        annotations.put(ANNOTATION + c.cluster() + ".taken-at", c.entry().takenAt);
      }
    }
    return annotations;
  }

  /** Writes the run's Event; returns the run's failure line, which the Event's own failure may become. */
  private static String recordEvent(SnapshotClaim claim, List<ClusterOutcome> clusters, String failure) {
    if (claim == null) {
      return failure;
    }
    List<String> problems = new ArrayList<>();
    clusters.stream().filter(c -> !c.ok()).forEach(c -> problems.add(c.describe()));
    if (failure != null) {
      problems.add(failure);
    }
    try {
      if (problems.isEmpty()) {
        claim.event(false, "SnapshotSaved", summary(clusters));
      } else {
        claim.event(true, "SnapshotFailed", String.join("; ", problems));
      }
      return failure;
    } catch (KubeException e) {
      return failure != null ? failure : e.getMessage() + "; " + filesStatement(clusters);
    }
  }

  private static String summary(List<ClusterOutcome> clusters) {
    return clusters.stream().map(ClusterOutcome::describe).collect(Collectors.joining("; "));
  }

  private static String filesStatement(List<ClusterOutcome> clusters) {
    List<String> files = clusters.stream().filter(ClusterOutcome::ok)
        .map(c -> c.entry().file + " (revision " + c.entry().revision + ")").toList();
    return files.isEmpty() ? "no snapshot file was written in this run"
        : "the snapshot files written are valid: " + String.join(", ", files);
  }
}
