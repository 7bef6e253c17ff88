package io.etcdsnapshotter.inspect;

import io.etcdsnapshotter.bolt.BoltFormatException;
import io.etcdsnapshotter.bolt.BucketScanVisitor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The numbers of {@code snapshot status} (etcd 3.4/3.5), fed by {@link io.etcdsnapshotter.bolt.BoltFile#scan}: the
 * hash runs over each bucket name followed by its keys and values, concatenated without separators.
 */
public final class StatusCalculator implements BucketScanVisitor {
  private static final ByteBuffer KEY_BUCKET = ByteBuffer.wrap(new byte[] {'k', 'e', 'y'});
  /** BE64(main) '_' BE64(sub): etcd reads both halves, so anything shorter is not an etcd revision. */
  private static final int REVISION_BYTES = 17;

  private final CRC32C crc = new CRC32C();
  private final Path file;
  private boolean inKeyBucket;
  private long revision;
  private long totalKey;

  /** {@code file} only names the file in error messages. */
  public StatusCalculator(Path file) {
    this.file = file;
  }

  @Override
  public void bucket(ByteBuffer name) {
    inKeyBucket = name.equals(KEY_BUCKET);
    crc.update(name);
  }

  @Override
  public void keyValue(ByteBuffer key, ByteBuffer value) throws IOException {
    totalKey++;
    if (inKeyBucket) {
      if (key.remaining() < REVISION_BYTES) {
        throw new BoltFormatException(file + ": bucket 'key' holds a " + key.remaining()
            + "-byte key; etcd revisions are at least " + REVISION_BYTES + " bytes: not an etcd snapshot");
      }
      revision = key.getLong(key.position());
    }
    crc.update(key);
    crc.update(value);
  }

  /** The status so far; {@code totalSize} is the db's pgid * pageSize. */
  public SnapshotStatus result(long totalSize) {
    return new SnapshotStatus(crc.getValue(), revision, totalKey, totalSize);
  }
}
