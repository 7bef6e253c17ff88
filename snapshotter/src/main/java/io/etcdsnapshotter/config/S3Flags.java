package io.etcdsnapshotter.config;

/**
 * The snapshot command's S3 flags as typed; {@code null} means "not given", so the config file decides. A bucket
 * given here copies the snapshots to S3 even without an {@code s3} section.
 */
public record S3Flags(String bucket, String prefix, String endpoint, String kmsKeyId) {
  public static final S3Flags NONE = new S3Flags(null, null, null, null);
}
