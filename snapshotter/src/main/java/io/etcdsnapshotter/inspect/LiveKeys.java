package io.etcdsnapshotter.inspect;

import java.nio.ByteBuffer;

/**
 * etcdutl 3.6+'s {@code totalKey}: the user keys whose latest entry in bucket {@code key} is not a tombstone. Fed the
 * bucket in revision order, it adds each entry's user key (field 1 of its KeyValue, "" for the bump entry's empty
 * value) and removes it again at a tombstone (an 18-byte revision key ending in 't'), as etcdutl does with a Go map.
 *
 * <p>It keeps a fingerprint of each key instead of the key: a snapshot job runs in 128 MiB of heap on databases of
 * millions of keys, where the keys themselves (often 50-100 bytes, as Strings in a HashSet well over 100 bytes more)
 * would not fit; 16 bytes a slot do (about 60 MiB of heap for 2 million keys, 4 million fit in 128 MiB). The
 * fingerprint is the 128-bit MurmurHash3 of the key bytes ({@link KeyFingerprint}): two distinct keys share one with
 * probability 2^-128, so for n keys the odds that the count is off by one are about n^2 / 2^129, below 10^-24 for
 * ten million keys.
 */
final class LiveKeys {
  /** BE64(main) '_' BE64(sub), then the tombstone mark 't' (mvcc.IsTombstone). */
  private static final int TOMBSTONE_BYTES = 18;

  private final KeyValueKey keyValue = new KeyValueKey();
  private final KeyFingerprint fingerprint = new KeyFingerprint();
  private final FingerprintSet keys = new FingerprintSet();

  /**
   * One entry of bucket {@code key}; throws {@link IllegalArgumentException} with the decoder's reason when
   * the value is not a KeyValue.
   */
  void accept(ByteBuffer revision, ByteBuffer value) {
    fingerprint.of(keyValue.of(value));
    if (isTombstone(revision)) {
      keys.remove(fingerprint.high(), fingerprint.low());
    } else {
      keys.add(fingerprint.high(), fingerprint.low());
    }
  }

  long count() {
    return keys.size();
  }

  private static boolean isTombstone(ByteBuffer revision) {
    return revision.remaining() == TOMBSTONE_BYTES && revision.get(revision.limit() - 1) == 't';
  }
}
