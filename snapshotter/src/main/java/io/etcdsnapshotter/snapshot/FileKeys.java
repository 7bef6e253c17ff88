package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.aws.AwsException;
import io.etcdsnapshotter.aws.Kms;
import io.etcdsnapshotter.config.EncryptionConfig;
import io.etcdsnapshotter.encryption.DataKey;
import io.etcdsnapshotter.encryption.DataKeys;
import java.io.IOException;

/**
 * The data keys of a run's encrypted files, one per file from KMS's GenerateDataKey; KMS is reached the first time a
 * file needs one, so a failure there is that cluster's failure. A run with encryption off asks KMS nothing. The run
 * never needs kms:Decrypt: its own files are read back (checked, drilled) with the key it still holds.
 */
final class FileKeys implements AutoCloseable {
  private final EncryptionConfig config;
  private Kms kms;

  /** {@code config} null: encryption off. */
  FileKeys(EncryptionConfig config) {
    this.config = config;
  }

  /** The key of the next file, made when the file starts; nothing when encryption is off. */
  FileKey next() {
    return new FileKey();
  }

  @Override
  public void close() {
    if (kms != null) {
      kms.close();
    }
  }

  /** One file's data key, held from the file's start until its drill has ended, then zeroed. */
  final class FileKey implements AutoCloseable {
    private DataKey key;

    /** A new data key for the file, or null when encryption is off. */
    DataKey start() throws IOException {
      if (config == null) {
        return null;
      }
      try {
        if (kms == null) {
          kms = Kms.connect(config.region(), config.endpoint(), config.useInstanceMetadata());
        }
        Kms.GeneratedKey generated = kms.generateDataKey(config.kmsKeyId());
        key = new DataKey(generated.keyArn(), generated.plaintext(), generated.encrypted());
        return key;
      } catch (AwsException e) {
        throw new IOException("cannot encrypt the snapshot: " + e.getMessage(), e);
      }
    }

    /** Reads the file this key encrypted; a plain file needs no key. */
    DataKeys reader() {
      return key == null ? DataKeys.NONE : key.reader();
    }

    @Override
    public void close() {
      if (key != null) {
        key.close();
      }
    }
  }
}
