package io.etcdsnapshotter.journal;

import io.etcdsnapshotter.encryption.DataKey;
import io.etcdsnapshotter.encryption.DataKeys;

/**
 * Whether a journal's new segments are sealed, under which data key, and how the segments written are read; closed
 * when the journal stops (what it holds to ask for keys is let go).
 */
public interface SegmentKeys extends AutoCloseable {
  /** Plain segments written; reading a sealed one fails, naming its key. */
  SegmentKeys PLAIN = new SegmentKeys() {
    @Override
    public DataKey newKey() {
      return null;
    }

    @Override
    public DataKeys reader() {
      return DataKeys.NONE;
    }
  };

  /**
   * A new data key for the segments one writer starts (a chain, or its continuation after a restart), which the
   * writer zeroes when it closes; null to write them plain.
   */
  DataKey newKey() throws java.io.IOException;

  /** Recovers the data keys of the segments already written (from KMS, as a restore would). */
  DataKeys reader();

  @Override
  default void close() {}
}
