package io.etcdsnapshotter.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a run reports beyond the snapshot volume: to Kubernetes (PVC annotations, Events) and to AWS (volume tags,
 * EBS snapshots). Each part is {@code null} when not configured; with both null a run touches neither.
 */
public record PublishConfig(Kubernetes kubernetes, Aws aws) {
  public static final PublishConfig NONE = new PublishConfig(null, null);

  public boolean enabled() {
    return kubernetes != null || aws != null;
  }

  /** The PVC of the snapshot volume. */
  public record Kubernetes(String namespace, String pvc) {}

  /**
   * The cluster whose identity the volume and every EBS snapshot carry, the EBS volume ({@code volumeId} given, or
   * found through the PVC), the tags external tools select it by, and the SDK's region ({@code null}: AWS_REGION or
   * the profile) and endpoint ({@code null}: AWS's own).
   * {@code requireEncrypted}: an unencrypted volume or EBS snapshot fails the run instead of warning.
   * {@code useInstanceMetadata}: the instance metadata service may give credentials and region; without it the
   * CronJob, which shares the master's network, never asks it.
   */
  public record Aws(String clusterName, String region, URI endpoint, String volumeId, Map<String, String> tags,
      EbsSnapshots ebsSnapshots, boolean requireEncrypted, boolean useInstanceMetadata) {}

  /**
   * {@code keep} newest snapshots (0: no limit by count), none older than {@code maxAge} ({@code null}: no limit),
   * and the regions each is copied to.
   */
  public record EbsSnapshots(int keep, Duration maxAge, List<EbsCopies> copies) {}

  /**
   * Encrypted copies in {@code region} (with {@code kmsKeyId}, {@code null}: that region's default EBS key), kept as
   * {@code keep} and {@code maxAge} say, as at the source.
   */
  public record EbsCopies(String region, String kmsKeyId, int keep, Duration maxAge) {}
}
