package io.etcdsnapshotter.continuous;

import io.etcdsnapshotter.aws.AwsException;
import io.etcdsnapshotter.aws.Kms;
import io.etcdsnapshotter.config.EncryptionConfig;
import io.etcdsnapshotter.encryption.DataKey;
import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.encryption.RememberedKeys;
import io.etcdsnapshotter.journal.SegmentKeys;
import java.io.IOException;

/**
 * The data keys of a journal whose config encrypts the snapshots: the segments are sealed as well, one data key
 * from KMS's GenerateDataKey per chain a writer starts or continues, so no plaintext reaches the volume. Resuming a
 * chain, rolling to the next one and chain retention read what was written before, which takes kms:Decrypt; each
 * data key is asked for once and kept, zeroed at close, since a chain's segments share one. Without an encryption
 * section the segments are plain and KMS is never asked.
 */
final class JournalKeys implements SegmentKeys, AutoCloseable {
  /** Null: plain segments. */
  private final EncryptionConfig config;
  private final Kms kms;
  private final RememberedKeys reader;

  /** {@code config}: the config's encryption section, or null. */
  JournalKeys(EncryptionConfig config) {
    this.config = config;
    if (config == null) {
      kms = null;
      reader = null;
      return;
    }
    this.kms = Kms.connect(config.region(), config.endpoint(), config.useInstanceMetadata());
    this.reader = new RememberedKeys((keyId, encrypted) -> {
      try {
        return kms.decrypt(keyId, encrypted);
      } catch (AwsException e) {
        throw new IOException(e.getMessage(), e);
      }
    });
  }

  @Override
  public DataKey newKey() throws IOException {
    if (config == null) {
      return null;
    }
    try {
      Kms.GeneratedKey key = kms.generateDataKey(config.kmsKeyId());
      return new DataKey(key.keyArn(), key.plaintext(), key.encrypted());
    } catch (AwsException e) {
      throw new IOException("cannot seal the journal's segments: " + e.getMessage(), e);
    }
  }

  @Override
  public DataKeys reader() {
    return config == null ? DataKeys.NONE : reader;
  }

  @Override
  public void close() {
    if (config != null) {
      reader.close();
      kms.close();
    }
  }
}
