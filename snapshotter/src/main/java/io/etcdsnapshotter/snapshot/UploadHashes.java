package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.s3.HashAsWritten;
import io.etcdsnapshotter.s3.PartHashes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The hashes the S3 copy of each cluster's new file needs, taken while the file is written, so that the copy starts
 * uploading at once instead of reading the whole file first. A run without an S3 copy hashes nothing. The copies wait
 * for them on their own thread while the run saves the next cluster.
 */
final class UploadHashes implements AutoCloseable {
  private final boolean wanted;
  private final Map<String, HashAsWritten> byCluster = new HashMap<>();

  UploadHashes(boolean wanted) {
    this.wanted = wanted;
  }

  /** Starts hashing {@code part}, the cluster's new file, as it is written; null when no copy is wanted. */
  synchronized HashAsWritten follow(String cluster, Path part) throws IOException {
    drop(cluster);
    if (!wanted) {
      return null;
    }
    HashAsWritten hashing = HashAsWritten.follow(part);
    byCluster.put(cluster, hashing);
    return hashing;
  }

  /** The hashes of the cluster's file once they are all taken; null if none were (the upload then reads the file). */
  PartHashes await(String cluster) throws IOException {
    HashAsWritten hashing;
    synchronized (this) {
      hashing = byCluster.get(cluster);
    }
    return hashing == null ? null : hashing.await();
  }

  /** Stops hashing a file that was not saved. */
  synchronized void drop(String cluster) throws IOException {
    HashAsWritten hashing = byCluster.remove(cluster);
    if (hashing != null) {
      hashing.close();
    }
  }

  @Override
  public synchronized void close() throws IOException {
    for (HashAsWritten hashing : byCluster.values()) {
      hashing.close();
    }
    byCluster.clear();
  }
}
