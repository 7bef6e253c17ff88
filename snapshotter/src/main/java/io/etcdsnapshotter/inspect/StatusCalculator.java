package io.etcdsnapshotter.inspect;

import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.bolt.BoltFormatException;
import io.etcdsnapshotter.bolt.BucketScanVisitor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The numbers of {@code snapshot status}, fed by {@link BoltFile#scan}. Hash, revision and totalSize are the same for
 * every etcd: the hash runs over each bucket name followed by its keys and values, concatenated without separators.
 * totalKey is the pairs over all buckets for etcdctl 3.4 / etcdutl 3.5, and the live user keys for etcdutl 3.6+
 * ({@link LiveKeys}); only then are values parsed and a key set kept, so 3.5 semantics cost what they always did.
 */
public final class StatusCalculator implements BucketScanVisitor {
  private static final ByteBuffer KEY_BUCKET = ByteBuffer.wrap(new byte[] {'k', 'e', 'y'});
  /** BE64(main) '_' BE64(sub): etcd reads both halves, so anything shorter is not an etcd revision. */
  private static final int REVISION_BYTES = 17;

  private final CRC32C crc = new CRC32C();
  private final Path file;
  private final long totalSize;
  /** Under 3.6 semantics, the storage version as etcdutl 3.6 shows it ("" if none); null under 3.5 semantics. */
  private final String version;
  /** Under 3.6 semantics, the live keys; null under 3.5 semantics, which never parse a value. */
  private LiveKeys liveKeys;
  private boolean inKeyBucket;
  private long revision;
  private long pairs;

  /**
   * Ready to compute the status of {@code bolt} under {@code semantics}; {@link StatusSemantics#AUTO} and 3.6 read
   * meta/storageVersion first (one lookup), since the {@code meta} bucket comes after {@code key} in the scan.
   */
  public StatusCalculator(BoltFile bolt, StatusSemantics semantics) throws IOException {
    Optional<String> storageVersion =
        semantics == StatusSemantics.ETCD_35 ? Optional.empty() : StorageVersion.read(bolt);
    boolean live = semantics.resolve(storageVersion) == StatusSemantics.ETCD_36;
    this.file = bolt.path();
    this.totalSize = bolt.dataSize();
    this.version = live ? storageVersion.orElse("") : null;
    this.liveKeys = live ? new LiveKeys() : null;
  }

  @Override
  public void bucket(ByteBuffer name) {
    inKeyBucket = name.equals(KEY_BUCKET);
    crc.update(name);
  }

  @Override
  public void keyValue(ByteBuffer key, ByteBuffer value) throws IOException {
    pairs++;
    if (inKeyBucket) {
      if (key.remaining() < REVISION_BYTES) {
        throw new BoltFormatException(file + ": bucket 'key' holds a " + key.remaining()
            + "-byte key; etcd revisions are at least " + REVISION_BYTES + " bytes: not an etcd snapshot");
      }
      revision = key.getLong(key.position());
      if (liveKeys != null) {
        countLive(key, value);
      }
    }
    crc.update(key);
    crc.update(value);
  }

  /**
   * Feeds this calculator with every bucket and pair of {@code bolt}. Under 3.6 semantics the key set is all that
   * grows with the database, so running out of heap anywhere in the scan means its next segment did not fit: the
   * set's own allocation, or the scanner's next small one while the set fills the heap (which of the two fails
   * depends on a few kilobytes of headroom).
   */
  public void scan(BoltFile bolt) throws IOException {
    try {
      bolt.scan(this);
    } catch (OutOfMemoryError e) {
      if (liveKeys == null) {
        throw e;
      }
      // Let go of the set before the one line saying so is built, which would not fit either while it fills the heap.
      long counted = liveKeys.count();
      liveKeys = null;
      throw new HeapTooSmallException(file + ": the heap is too small for the live-key count of etcdutl 3.6+"
          + " semantics (" + counted + " keys so far, about 30 bytes each); give the JVM more -Xmx", version);
    }
  }

  /** The status once the scan is done. */
  public SnapshotStatus result() {
    long totalKey = liveKeys == null ? pairs : liveKeys.count();
    return new SnapshotStatus(crc.getValue(), revision, totalKey, totalSize, version);
  }

  private void countLive(ByteBuffer key, ByteBuffer value) throws IOException {
    try {
      liveKeys.accept(key, value);
    } catch (IllegalArgumentException e) {
      long sub = key.getLong(key.position() + 9);
      throw new IOException(file + ": cannot unmarshal the value at revision " + revision + " (sub " + sub
          + ") of bucket 'key' as an mvccpb.KeyValue: " + e.getMessage() + " (etcdutl 3.6+ fails on it too;"
          + " the 3.4/3.5 status does not read values)");
    }
  }
}
