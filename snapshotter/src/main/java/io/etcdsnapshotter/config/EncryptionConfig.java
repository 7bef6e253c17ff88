package io.etcdsnapshotter.config;

import java.net.URI;

/**
 * Encryption of the snapshot files on the volume: each file gets a data key of its own from KMS key {@code kmsKeyId},
 * called in {@code region} ({@code null}: AWS_REGION or the profile) at {@code endpoint} ({@code null}: AWS's own),
 * with the instance metadata service as a source of credentials only where {@code useInstanceMetadata}.
 */
public record EncryptionConfig(String kmsKeyId, String region, URI endpoint, boolean useInstanceMetadata) {
  /** The region of a key ARN ({@code arn:aws:kms:REGION:ACCOUNT:key/ID}); null for a key id or an alias name. */
  public static String regionOf(String keyId) {
    String[] parts = keyId.split(":", 6);
    return parts.length == 6 && parts[0].equals("arn") && parts[2].equals("kms") && !parts[3].isEmpty()
        ? parts[3] : null;
  }
}
