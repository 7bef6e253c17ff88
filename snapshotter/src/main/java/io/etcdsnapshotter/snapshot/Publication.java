package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.aws.AwsException;
import io.etcdsnapshotter.aws.EbsSnapshots;
import io.etcdsnapshotter.aws.Ec2;
import io.etcdsnapshotter.aws.Encryption;
import io.etcdsnapshotter.aws.RegionCopies;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a run once its files are committed: checks that EBS encrypts the volume and the snapshot it takes, tags
 * the EBS volume and takes an EBS snapshot (only when every cluster was saved, and restored in its drill if one ran:
 * a snapshot that failed its drill never lets an older EBS snapshot expire), annotates the PVC and writes an
 * Event (Normal, or Warning when anything failed), plus a Warning Event for anything unencrypted. A failure here
 * never touches the files: its message says which of them are valid.
 */
final class Publication {
  private static final Logger LOG = LoggerFactory.getLogger(Publication.class);
  private static final String ANNOTATION = "etcd-snapshotter.io/";
  private static final String TAG = "etcd-snapshotter/";
  private final PublishConfig config;
  /** The EBS snapshot this run started, kept even when a later step (expiring old ones) fails. */
  private String ebsSnapshot;

  Publication(PublishConfig config) {
    this.config = config;
  }

  /** {@code copyFailures}: the copies off the volume that failed, which the run's Event reports too. */
  PublishOutcome publish(List<ClusterOutcome> clusters, List<String> copyFailures, Instant at) {
    if (!config.enabled()) {
      return PublishOutcome.NONE;
    }
    List<String> done = new ArrayList<>();
    // What this run found unencrypted, each a Warning Event; with requireEncrypted the first fails the run instead.
    List<String> unencrypted = new ArrayList<>();
    String failure = null;
    try (SnapshotClaim claim = config.kubernetes() == null ? null
        : SnapshotClaim.connect(config.kubernetes().namespace(), config.kubernetes().pvc())) {
      try {
        publishTo(claim, clusters, at, done, unencrypted);
      } catch (AwsException | KubeException e) {
        failure = e.getMessage() + "; " + filesStatement(clusters);
      }
      failure = recordEvents(claim, clusters, copyFailures, failure, unencrypted);
    } catch (KubeException e) {
      failure = e.getMessage() + "; " + filesStatement(clusters);
    }
    return new PublishOutcome(List.copyOf(done), failure, ebsSnapshot);
  }

  private void publishTo(SnapshotClaim claim, List<ClusterOutcome> clusters, Instant at, List<String> done,
      List<String> unencrypted) {
    Map<String, String> annotations = new LinkedHashMap<>();
    if (config.aws() != null && clusters.stream().allMatch(ClusterOutcome::ok)) {
      String volumeId = config.aws().volumeId() != null ? config.aws().volumeId() : claim.ebsVolumeId();
      publishToAws(volumeId, clusters, at, done, annotations, unencrypted);
    }
    if (claim != null) {
      annotations.putAll(annotations(clusters, at));
      claim.annotate(annotations);
      done.add("annotated PVC " + config.kubernetes().namespace() + "/" + config.kubernetes().pvc());
    }
  }

  /** Adds whether the volume is encrypted and the id of the EBS snapshot started (if any) to {@code annotations}. */
  private void publishToAws(String volumeId, List<ClusterOutcome> clusters, Instant at, List<String> done,
      Map<String, String> annotations, List<String> unencrypted) {
    PublishConfig.Aws aws = config.aws();
    try (Ec2 ec2 = Ec2.connect(aws.region(), aws.endpoint(), aws.useInstanceMetadata())) {
      Encryption encryption = new Encryption(ec2);
      boolean volumeEncrypted = encryption.volumeEncrypted(volumeId);
      annotations.put(ANNOTATION + "volume-encrypted", Boolean.toString(volumeEncrypted));
      if (!volumeEncrypted) {
        unencrypted.add(notEncrypted("EBS volume " + volumeId));
      }
      VolumeTags volumeTags = new VolumeTags(ec2);
      Map<String, String> tags = VolumeTags.userTags(volumeTags.read(volumeId));
      String owner = tags.get(EbsSnapshots.CLUSTER);
      if (owner != null && !owner.equals(aws.clusterName())) {
        throw new AwsException("EBS volume " + volumeId + " is tagged " + EbsSnapshots.CLUSTER + "=" + owner
            + ", not " + aws.clusterName() + ": it holds another cluster's snapshots; check clusterName and the"
            + " volume (aws.volumeId or the PVC)");
      }
      Map<String, String> facts = new LinkedHashMap<>(aws.tags());
      facts.put(EbsSnapshots.CLUSTER, aws.clusterName());
      facts.put(TAG + "last-run", at.toString());
      clusters.forEach(c -> facts.put(TAG + "revision/" + c.cluster(), c.entry().revision.toString()));
      volumeTags.write(volumeId, facts);
      done.add("tagged EBS volume " + volumeId);
      if (aws.ebsSnapshots() == null) {
        return;
      }
      tags.putAll(facts);
      clusters.forEach(c -> tags.put(TAG + "sha256/" + c.cluster(), c.entry().sha256));
      EbsSnapshots snapshots = new EbsSnapshots(ec2, aws.clusterName());
      String snapshotId = snapshots.create(volumeId, tags, "etcd-snapshotter run of " + at);
      ebsSnapshot = snapshotId;
      annotations.put(ANNOTATION + "ebs-snapshot", snapshotId);
      if (!encryption.snapshotEncrypted(snapshotId)) {
        unencrypted.add(notEncrypted("EBS snapshot " + snapshotId));
      }
      List<String> expired = snapshots.expire(snapshots.list(volumeId),
          new Retention(aws.ebsSnapshots().keep(), aws.ebsSnapshots().maxAge()), at);
      done.add("started EBS snapshot " + snapshotId + " of " + volumeId
          + (expired.isEmpty() ? "" : "; expired " + String.join(", ", expired)));
      RegionCopies regionCopies = new RegionCopies(ec2, snapshots, aws.clusterName());
      for (PublishConfig.EbsCopies copies : aws.ebsSnapshots().copies()) {
        done.add(regionCopies.update(volumeId, copies.region(), copies.kmsKeyId(),
            new Retention(copies.keep(), copies.maxAge()), aws.endpoint(), aws.useInstanceMetadata(), at));
      }
    }
  }

  /**
   * Returns the warning about {@code what}; with requireEncrypted fails the publishing instead, before anything more
   * is copied unencrypted.
   */
  private String notEncrypted(String what) {
    String problem = what + " is not encrypted, yet the snapshot files hold every Secret of the cluster";
    String fix = "give the PVC an encrypted volume (StorageClass parameter encrypted: \"true\", or EBS encryption"
        + " by default)";
    if (config.aws().requireEncrypted()) {
      throw new AwsException(problem + ": aws.requireEncrypted is true; " + fix);
    }
    LOG.warn("{}: {}", problem, fix);
    return problem + ": " + fix;
  }

  private static Map<String, String> annotations(List<ClusterOutcome> clusters, Instant at) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(ANNOTATION + "last-run", at.toString());
    annotations.put(ANNOTATION + "last-result", clusters.stream().allMatch(ClusterOutcome::ok) ? "ok" : "failed");
    for (ClusterOutcome c : clusters) {
      if (c.saved()) {
        annotations.put(ANNOTATION + c.cluster() + ".revision", c.entry().revision.toString());
        annotations.put(ANNOTATION + c.cluster() + ".sha256", c.entry().sha256);
        annotations.put(ANNOTATION + c.cluster() + ".taken-at", c.entry().takenAt);
      }
      if (c.drill() != null) {
        annotations.put(ANNOTATION + c.cluster() + ".drill", c.drill().describe());
      }
    }
    return annotations;
  }

  /**
   * Writes the run's Event and a Warning for each unencrypted thing; returns the run's failure line, which the
   * Events' own failure may become.
   */
  private static String recordEvents(SnapshotClaim claim, List<ClusterOutcome> clusters, List<String> copyFailures,
      String failure, List<String> unencrypted) {
    if (claim == null) {
      return failure;
    }
    List<String> problems = new ArrayList<>();
    clusters.stream().filter(c -> !c.ok()).forEach(c -> problems.add(c.describe()));
    problems.addAll(copyFailures);
    if (failure != null) {
      problems.add(failure);
    }
    try {
      if (problems.isEmpty()) {
        claim.event(false, "SnapshotSaved", summary(clusters));
      } else {
        claim.event(true, "SnapshotFailed", String.join("; ", problems));
      }
      for (String warning : unencrypted) {
        claim.event(true, "NotEncrypted", warning);
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
