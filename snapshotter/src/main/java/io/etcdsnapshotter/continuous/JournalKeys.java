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
 * data key is asked for once and kept, zeroed at close, since a chain's segments share one.
 * A KMS client is made for each call and closed after it: the calls come at a chain's start, hours apart, and a
 * client kept between them would hold its HTTP client, its thread and its trust store in a process that must stay
 * small (scripts/bench-journal).
 */
final class JournalKeys implements SegmentKeys {
  private final EncryptionConfig config;
  private final RememberedKeys reader;

  private JournalKeys(EncryptionConfig config) {
    this.config = config;
    this.reader = new RememberedKeys(this::decrypt);
  }

  /** Sealed segments under the config's encryption section; plain ones, KMS never asked, without one. */
  static SegmentKeys of(EncryptionConfig config) {
    return config == null ? SegmentKeys.PLAIN : new JournalKeys(config);
  }

  private Kms connect() {
    return Kms.connect(config.region(), config.endpoint(), config.useInstanceMetadata());
  }

  @Override
  public DataKey newKey() throws IOException {
    try (Kms kms = connect()) {
      return generate(kms);
    }
  }

  private DataKey generate(Kms kms) throws IOException {
    try {
      Kms.GeneratedKey key = kms.generateDataKey(config.kmsKeyId());
      return new DataKey(key.keyArn(), key.plaintext(), key.encrypted());
    } catch (AwsException e) {
      throw new IOException("cannot seal the journal's segments: " + e.getMessage(), e);
    }
  }

  private byte[] decrypt(String keyId, byte[] encrypted) throws IOException {
    try (Kms kms = connect()) {
      return kms.decrypt(keyId, encrypted);
    } catch (AwsException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  @Override
  public DataKeys reader() {
    return reader;
  }

  @Override
  public void close() {
    reader.close();
  }
}
