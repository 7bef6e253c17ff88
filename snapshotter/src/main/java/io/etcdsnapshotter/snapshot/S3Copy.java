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
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies each cluster's new snapshot, once saved (and drilled, if a drill ran), to S3, expires its older copies, and
 * then copies {@code snapshots.json} beside them. The files on the volume are only read: a failed copy fails the
 * run in one line and leaves the snapshot where it is.
 */
final class S3Copy {
  private static final String FIX = "check the bucket, the region and the S3 and KMS permissions of the role"
      + " (docs/aws.md)";
  private final S3Config config;

  S3Copy(S3Config config) {
    this.config = config;
  }

  /** {@code runStart}: uploads begun before it were left by runs that died, and are aborted. */
  CopyOutcome copy(List<ClusterOutcome> clusters, SnapshotVolume volume, UploadHashes hashes, Instant runStart) {
    List<ClusterOutcome> good = clusters.stream().filter(ClusterOutcome::ok).toList();
    if (good.isEmpty()) {
      return CopyOutcome.NONE;
    }
    List<String> done = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    S3 s3;
    try {
      s3 = S3.connect(config.region(), config.endpoint(), config.useInstanceMetadata());
    } catch (AwsException e) {
      good.forEach(c -> failures.add(failure(c, e)));
      return new CopyOutcome(List.of(), List.copyOf(failures));
    }
    try (s3) {
      ObjectUpload upload = new ObjectUpload(s3, config.bucket(),
          new ObjectUpload.Encryption(config.encryption(), config.kmsKeyId()));
      for (ClusterOutcome cluster : good) {
        try {
          done.add(copy(s3, upload, cluster, volume, hashes.await(cluster.cluster()), runStart));
        } catch (AwsException | IOException e) {
          failures.add(failure(cluster, e));
        }
      }
      if (!done.isEmpty()) {
        try {
          done.add(copyIndex(upload, volume));
        } catch (AwsException | IOException e) {
          failures.add("the S3 copy of " + SnapshotIndex.FILE + " failed: " + OneLine.message(e) + "; " + FIX);
        }
      }
    }
    return new CopyOutcome(List.copyOf(done), List.copyOf(failures));
  }

  /** {@code hashes}: those of the cluster's file, taken as it was written (null: the upload reads it for them). */
  private String copy(S3 s3, ObjectUpload upload, ClusterOutcome cluster, SnapshotVolume volume, PartHashes hashes,
      Instant runStart) throws IOException {
    SnapshotIndex.Entry entry = cluster.entry();
    SnapshotObjects objects = new SnapshotObjects(s3, config.bucket(),
        SnapshotObjects.prefix(config.prefix(), config.clusterName(), cluster.cluster()));
    objects.abortLeftUploads(runStart);
    Instant takenAt = Instant.parse(entry.takenAt);
    String key = objects.key(takenAt, entry.revision);
    upload.upload(volume.file(entry.file), hashes, key, metadata(Map.of(SnapshotObjects.REVISION, entry.revision.toString(),
        SnapshotObjects.TAKEN_AT, entry.takenAt)));
    List<String> expired = objects.expire(new Retention(config.keep(), config.maxAge()), Instant.now());
    return "cluster " + cluster.cluster() + ": copied " + entry.file + " to s3://" + config.bucket() + "/" + key
        + (expired.isEmpty() ? "" : "; expired " + String.join(", ", expired));
  }

  private String copyIndex(ObjectUpload upload, SnapshotVolume volume) throws IOException {
    String key = (config.prefix().isEmpty() ? "" : config.prefix() + "/") + config.clusterName() + "/"
        + SnapshotIndex.FILE;
    upload.upload(volume.dir().resolve(SnapshotIndex.FILE), key, metadata(Map.of()));
    return "copied " + SnapshotIndex.FILE + " to s3://" + config.bucket() + "/" + key;
  }

  private Map<String, String> metadata(Map<String, String> more) {
    Map<String, String> metadata = new LinkedHashMap<>(more);
    metadata.put(SnapshotObjects.CREATED_BY, SnapshotObjects.CREATED_BY_VALUE);
    metadata.put(SnapshotObjects.CLUSTER_NAME, config.clusterName());
    return metadata;
  }

  private static String failure(ClusterOutcome cluster, Exception e) {
    SnapshotIndex.Entry entry = cluster.entry();
    return "cluster " + cluster.cluster() + ": the S3 copy of " + entry.file + " failed: " + OneLine.message(e) + "; "
        + FIX + "; " + entry.file + " (revision " + entry.revision + ") stays valid on the volume";
  }
}
