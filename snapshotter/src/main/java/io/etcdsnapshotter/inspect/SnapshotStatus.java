package io.etcdsnapshotter.inspect;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.bolt.SnapshotFiles;
import io.etcdsnapshotter.encryption.DataKeys;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What {@code snapshot status} reports, under etcd's JSON names, in one of two semantics ({@link StatusSemantics}):
 * etcdctl 3.4 / etcdutl 3.5 (CRC-32C over all buckets, the highest revision in {@code key}, the pairs over all
 * buckets, pgid * pageSize) or etcdutl 3.6+ (the same, but totalKey counts the live user keys, and {@code version}
 * is the storage version). {@code version} is null under 3.5 semantics, which have no such field.
 */
public record SnapshotStatus(
    long hash,
    long revision,
    long totalKey,
    long totalSize,
    @JsonInclude(JsonInclude.Include.NON_NULL) String version) {

  /** A status under 3.4/3.5 semantics. */
  public SnapshotStatus(long hash, long revision, long totalKey, long totalSize) {
    this(hash, revision, totalKey, totalSize, null);
  }

  /** The status etcdutl of the file's own storage version prints ({@link StatusSemantics#AUTO}). */
  public static SnapshotStatus of(Path file) throws IOException {
    return of(file, StatusSemantics.AUTO);
  }

  /** Computes the status of a plain snapshot or bbolt file, checking its whole structure on the way. */
  public static SnapshotStatus of(Path file, StatusSemantics semantics) throws IOException {
    return of(file, semantics, DataKeys.NONE);
  }

  /** As {@link #of(Path, StatusSemantics)}; an encrypted file is read with the data key {@code keys} gives. */
  public static SnapshotStatus of(Path file, StatusSemantics semantics, DataKeys keys) throws IOException {
    try (BoltFile bolt = SnapshotFiles.openBolt(file, keys)) {
      StatusCalculator calculator = new StatusCalculator(bolt, semantics);
      calculator.scan(bolt);
      return calculator.result();
    }
  }

  /** The exact line etcdctl/etcdutl print for {@code -w json} (Go's encoding/json; a semver needs no escaping). */
  public String toJson() {
    return "{\"hash\":" + hash + ",\"revision\":" + revision + ",\"totalKey\":" + totalKey
        + ",\"totalSize\":" + totalSize + (version == null ? "" : ",\"version\":\"" + version + "\"") + "}";
  }
}
