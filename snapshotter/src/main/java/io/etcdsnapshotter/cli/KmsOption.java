package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.aws.AwsException;
import io.etcdsnapshotter.aws.Kms;
import io.etcdsnapshotter.config.EncryptionConfig;
import io.etcdsnapshotter.config.ServiceUrl;
import io.etcdsnapshotter.encryption.DataKeys;
import java.io.IOException;
import java.net.URI;
import picocli.CommandLine.Option;

/** Where the data keys of encrypted snapshot files come from when a command reads one. */
final class KmsOption {
  @Option(names = "--kms-endpoint", paramLabel = "URL",
      description = "KMS API endpoint for reading an encrypted snapshot (default: AWS's own, in the region of the"
          + " key the file names). Needs kms:Decrypt on that key; plain files never ask KMS.")
  String endpoint;

  /**
   * KMS in the region of the key a file names, asked only when a file is encrypted; credentials from the SDK's
   * default chain, the instance profile included, as on a master.
   */
  DataKeys keys() {
    URI uri = ServiceUrl.parse(endpoint, "--kms-endpoint", ServiceUrl.KMS_EXAMPLE);
    return (keyId, encryptedKey) -> {
      try (Kms kms = Kms.connect(EncryptionConfig.regionOf(keyId), uri, true)) {
        return kms.decrypt(keyId, encryptedKey);
      } catch (AwsException e) {
        throw new IOException(e.getMessage(), e);
      }
    };
  }
}
