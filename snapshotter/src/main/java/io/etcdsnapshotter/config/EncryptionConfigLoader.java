package io.etcdsnapshotter.config;

/** The {@code encryption:} section of the config file; without it the files on the volume are plain. */
final class EncryptionConfigLoader {
  private EncryptionConfigLoader() {}

  static EncryptionConfig load(ConfigFile.Encryption encryption, ConfigFile.Aws aws) {
    if (encryption == null) {
      return null;
    }
    String keyId = encryption.kmsKeyId == null ? "" : encryption.kmsKeyId.trim();
    if (keyId.isEmpty() || keyId.chars().anyMatch(Character::isWhitespace)) {
      throw new ConfigException("encryption.kmsKeyId '" + keyId + "' must name a KMS key: its ARN (best: it names"
          + " the region too), key id or alias/NAME (pillar etcd_snapshot:encryption:kms_key_id)");
    }
    String region = firstGiven(encryption.region, EncryptionConfig.regionOf(keyId), aws == null ? null : aws.region);
    return new EncryptionConfig(keyId, region,
        ServiceUrl.parse(encryption.endpoint, "encryption.endpoint", ServiceUrl.KMS_EXAMPLE),
        Boolean.TRUE.equals(encryption.useInstanceMetadata != null ? encryption.useInstanceMetadata
            : aws == null ? null : aws.useInstanceMetadata));
  }

  private static String firstGiven(String... candidates) {
    for (String candidate : candidates) {
      if (candidate != null && !candidate.isBlank()) {
        return candidate.trim();
      }
    }
    return null;
  }
}
