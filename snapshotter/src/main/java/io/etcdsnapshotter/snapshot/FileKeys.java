package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.Background;
import io.etcdsnapshotter.aws.AwsException;
import io.etcdsnapshotter.aws.Kms;
import io.etcdsnapshotter.config.EncryptionConfig;
import io.etcdsnapshotter.encryption.DataKey;
import io.etcdsnapshotter.encryption.DataKeys;
import java.io.IOException;

/**
 * The data keys of a run's encrypted files, one per file from KMS's GenerateDataKey. The first is asked for on a
 * thread of its own when the run starts, so that starting the KMS client (most of a second of CPU) and the request
 * happen while etcd is being reached, not before the stream; a failure there is still the first cluster's failure,
 * and the next file asks again. A run with encryption off asks KMS nothing. The run never needs kms:Decrypt: its own
 * files are read back (checked, drilled) with the key it still holds.
 */
final class FileKeys implements AutoCloseable {
  private final EncryptionConfig config;
  private Kms kms;
  /** The first file's key, until that file takes it. */
  private Background<DataKey> first;

  /** {@code config} null: encryption off. */
  FileKeys(EncryptionConfig config) {
    this.config = config;
    if (config != null) {
      first = Background.start("kms data key", this::generate);
    }
  }

  /** The key of the next file, made when the file starts; nothing when encryption is off. */
  FileKey next() {
    return new FileKey();
  }

  @Override
  public void close() {
    if (first != null) {
      forget(first);
    }
    synchronized (this) {
      if (kms != null) {
        kms.close();
      }
    }
  }

  /**
   * Zeroes a key asked for in advance that no file took (the run ended first): it is waited for rather than
   * cancelled, since a cancelled request could still leave its key in memory unzeroed.
   */
  private static void forget(Background<DataKey> unused) {
    try {
      unused.await().close();
    } catch (IOException | RuntimeException e) {
      // KMS failed: there is no key to zero
    }
  }

  /** The key asked for in advance, the first time; a new one after that. */
  private DataKey take() throws IOException {
    Background<DataKey> taken = first;
    first = null;
    return taken != null ? taken.await() : generate();
  }

  private synchronized DataKey generate() {
    if (kms == null) {
      kms = Kms.connect(config.region(), config.endpoint(), config.useInstanceMetadata());
    }
    Kms.GeneratedKey generated = kms.generateDataKey(config.kmsKeyId());
    return new DataKey(generated.keyArn(), generated.plaintext(), generated.encrypted());
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
        key = take();
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
