package io.etcdsnapshotter.journal;

import io.etcdsnapshotter.encryption.DataKey;
import io.etcdsnapshotter.encryption.DataKeys;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Data keys made here rather than by KMS, for the segment format alone (the journal's KMS path runs against moto
 * end to end): each new key is random, its "encrypted" form a random blob only this instance can turn back into it.
 */
final class LocalKeys implements SegmentKeys {
  static final String KEY_ID = "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555";
  private static final SecureRandom RANDOM = new SecureRandom();
  private final List<DataKey> made = new ArrayList<>();

  @Override
  public DataKey newKey() {
    byte[] plain = new byte[32];
    byte[] blob = new byte[64];
    RANDOM.nextBytes(plain);
    RANDOM.nextBytes(blob);
    // One copy for the writer, which zeroes it; one kept to read with.
    made.add(new DataKey(KEY_ID, plain.clone(), blob));
    return new DataKey(KEY_ID, plain, blob);
  }

  @Override
  public DataKeys reader() {
    return (keyId, blob) -> {
      DataKeys none = (id, b) -> {
        throw new IOException("no such data key here");
      };
      DataKeys all = none;
      for (DataKey key : made) {
        all = key.readerOr(all);
      }
      return all.plaintext(keyId, blob);
    };
  }
}
