package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.OneLine;
import io.etcdsnapshotter.aws.AwsException;
import io.etcdsnapshotter.aws.Retention;
import io.etcdsnapshotter.config.S3Config;
import io.etcdsnapshotter.s3.ObjectUpload;
import io.etcdsnapshotter.s3.PartHashes;
import io.etcdsnapshotter.s3.S3;
import io.etcdsnapshotter.s3.SnapshotObjects;
import io.etcdsnapshotter.volume.SnapshotIndex;
import io.etcdsnapshotter.volume.SnapshotVolume;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Copies each cluster's new snapshot, once saved (and drilled, if a drill ran), to S3, expires its older copies, and
 * then copies {@code snapshots.json} beside them. Each copy runs on a thread of its own, one after the other, while
 * the run goes on to the next cluster's save: the upload of one snapshot overlaps the stream of the next. The files
 * on the volume are only read: a failed copy fails the run in one line and leaves the snapshot where it is.
 */
final class S3Copy implements AutoCloseable {
  private static final String FIX = "check the bucket, the region and the S3 and KMS permissions of the role"
      + " (docs/aws.md)";
  private final S3Config config;
  private final SnapshotVolume volume;
  private final UploadHashes hashes;
  private final Instant runStart;
  private final ExecutorService copier = Executors.newSingleThreadExecutor(r -> {
    Thread thread = new Thread(r, "s3-copy");
    thread.setDaemon(true);
    return thread;
  });
  private final List<Future<?>> started = new ArrayList<>();
  /** Written by the copying thread only, read once every copy has ended. */
  private final List<String> done = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();
  private S3 s3;
  private ObjectUpload upload;

  /** {@code runStart}: uploads begun before it were left by runs that died, and are aborted. */
  S3Copy(S3Config config, SnapshotVolume volume, UploadHashes hashes, Instant runStart) {
    this.config = config;
    this.volume = volume;
    this.hashes = hashes;
    this.runStart = runStart;
  }

  /** Starts copying the cluster's new file, after the copies started before it; a cluster not ok is not copied. */
  void start(ClusterOutcome cluster) {
    if (cluster.ok()) {
      started.add(copier.submit(() -> copy(cluster)));
    }
  }

  /** Waits for the copies started, then copies {@code snapshots.json} if any of them was made. */
  CopyOutcome finish() throws IOException {
    for (Future<?> copy : started) {
      await(copy);
    }
    if (!done.isEmpty()) {
      await(copier.submit(this::copyIndex));
    }
    return new CopyOutcome(List.copyOf(done), List.copyOf(failures));
  }

  @Override
  public void close() {
    copier.shutdownNow();
    if (s3 != null) {
      s3.close();
    }
  }

  private void copy(ClusterOutcome cluster) {
    try {
      if (s3 == null) {
        s3 = S3.connect(config.region(), config.endpoint(), config.useInstanceMetadata());
        upload = new ObjectUpload(s3, config.bucket(),
            new ObjectUpload.Encryption(config.encryption(), config.kmsKeyId()));
      }
      done.add(copy(cluster, hashes.await(cluster.cluster())));
    } catch (AwsException | IOException e) {
      failures.add(failure(cluster, e));
    }
  }

  /** {@code partHashes}: those of the cluster's file, taken as it was written (null: the upload reads it for them). */
  private String copy(ClusterOutcome cluster, PartHashes partHashes) throws IOException {
    SnapshotIndex.Entry entry = cluster.entry();
    SnapshotObjects objects = new SnapshotObjects(s3, config.bucket(),
        SnapshotObjects.prefix(config.prefix(), config.clusterName(), cluster.cluster()));
    objects.abortLeftUploads(runStart);
    Instant takenAt = Instant.parse(entry.takenAt);
    String key = objects.key(takenAt, entry.revision);
    upload.upload(volume.file(entry.file), partHashes, key, metadata(Map.of(SnapshotObjects.REVISION,
        entry.revision.toString(), SnapshotObjects.TAKEN_AT, entry.takenAt,
        SnapshotObjects.ETCD_CLUSTER_ID, entry.clusterId)));
    List<String> expired = objects.expire(new Retention(config.keep(), config.maxAge()), Instant.now());
    return "cluster " + cluster.cluster() + ": copied " + entry.file + " to s3://" + config.bucket() + "/" + key
        + (expired.isEmpty() ? "" : "; expired " + String.join(", ", expired));
  }

  private void copyIndex() {
    String key = (config.prefix().isEmpty() ? "" : config.prefix() + "/") + config.clusterName() + "/"
        + SnapshotIndex.FILE;
    try {
      upload.upload(volume.dir().resolve(SnapshotIndex.FILE), key, metadata(Map.of()));
      done.add("copied " + SnapshotIndex.FILE + " to s3://" + config.bucket() + "/" + key);
    } catch (AwsException | IOException e) {
      failures.add("the S3 copy of " + SnapshotIndex.FILE + " failed: " + OneLine.message(e) + "; " + FIX);
    }
  }

  private Map<String, String> metadata(Map<String, String> more) {
    Map<String, String> metadata = new LinkedHashMap<>(more);
    metadata.put(SnapshotObjects.CREATED_BY, SnapshotObjects.CREATED_BY_VALUE);
    metadata.put(SnapshotObjects.CLUSTER_NAME, config.clusterName());
    return metadata;
  }

  private static void await(Future<?> copy) throws IOException {
    try {
      copy.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while copying to S3");
    } catch (ExecutionException e) {
      throw new IllegalStateException("the S3 copy failed unexpectedly", e.getCause());
    }
  }

  private static String failure(ClusterOutcome cluster, Exception e) {
    SnapshotIndex.Entry entry = cluster.entry();
    return "cluster " + cluster.cluster() + ": the S3 copy of " + entry.file + " failed: " + OneLine.message(e) + "; "
        + FIX + "; " + entry.file + " (revision " + entry.revision + ") stays valid on the volume";
  }
}
