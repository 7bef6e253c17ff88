package io.etcdsnapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class EncryptionConfigLoaderTest {
  private static final String ARN = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  @Test
  void withoutTheSectionFilesArePlain() {
    assertThat(EncryptionConfigLoader.load(null, aws("eu-west-1", true))).isNull();
  }

  @Test
  void theKeysArnDecidesTheRegionUnlessOneIsGiven() {
    assertThat(EncryptionConfigLoader.load(encryption(ARN, null), aws("eu-west-1", false)))
        .isEqualTo(new EncryptionConfig(ARN, "eu-central-1", null, false));
    assertThat(EncryptionConfigLoader.load(encryption(ARN, "us-east-2"), null).region()).isEqualTo("us-east-2");
  }

  @Test
  void anAliasTakesTheAwsRegionAndItsCredentialSource() {
    ConfigFile.Encryption alias = encryption("alias/etcd", null);
    alias.endpoint = "https://kms.eu-west-1.amazonaws.com";
    assertThat(EncryptionConfigLoader.load(alias, aws("eu-west-1", true))).isEqualTo(new EncryptionConfig(
        "alias/etcd", "eu-west-1", URI.create("https://kms.eu-west-1.amazonaws.com"), true));
  }

  @Test
  void aMissingKeyIsRefusedNamingThePillar() {
    assertThatThrownBy(() -> EncryptionConfigLoader.load(encryption(" ", null), null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("encryption.kmsKeyId")
        .hasMessageContaining("etcd_snapshot:encryption:kms_key_id");
  }

  private static ConfigFile.Encryption encryption(String keyId, String region) {
    ConfigFile.Encryption encryption = new ConfigFile.Encryption();
    encryption.kmsKeyId = keyId;
    encryption.region = region;
    return encryption;
  }

  private static ConfigFile.Aws aws(String region, boolean instanceMetadata) {
    ConfigFile.Aws aws = new ConfigFile.Aws();
    aws.region = region;
    aws.useInstanceMetadata = instanceMetadata;
    return aws;
  }
}
