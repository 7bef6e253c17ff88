package io.etcdsnapshotter.config;

import java.net.URI;
import java.time.Duration;

/**
 * Where each good snapshot is copied: {@code s3://BUCKET/PREFIX/CLUSTER-NAME/CLUSTER/<taken at>-<revision>.db}
 * ({@code prefix} empty: none), encrypted by S3 with {@code encryption} ({@code aws:kms}, with {@code kmsKeyId} or
 * the bucket's default key, or {@code AES256}). {@code keep} newest copies per etcd cluster (0: no limit by count),
 * none older than {@code maxAge} ({@code null}: no limit). {@code region} ({@code null}: AWS_REGION or the profile),
 * {@code endpoint} ({@code null}: AWS's own) and {@code useInstanceMetadata} as for {@code aws}.
 */
public record S3Config(String clusterName, String bucket, String prefix, String region, URI endpoint,
    boolean useInstanceMetadata, String encryption, String kmsKeyId, int keep, Duration maxAge) {
  public static final String KMS = "aws:kms";
  public static final String AES256 = "AES256";
}
