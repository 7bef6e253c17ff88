package io.etcdsnapshotter.s3;

import io.etcdsnapshotter.aws.Retention;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One etcd cluster's snapshot copies under {@code PREFIX/CLUSTER-NAME/CLUSTER/} in a bucket, named
 * {@code <taken at, UTC>-<revision>.db} so that the keys sort as the snapshots were taken. Ours are those whose
 * metadata says this tool made them for this cluster name, with the SHA-256 of their bytes: anything else under the
 * prefix is never expired, and never taken for the newest.
 */
public final class SnapshotObjects {
  /** Object metadata (x-amz-meta-...) this tool writes on every copy. */
  public static final String SHA256 = "sha256";
  public static final String CREATED_BY = "created-by";
  public static final String CREATED_BY_VALUE = "etcd-snapshotter";
  public static final String CLUSTER_NAME = "cluster-name";
  public static final String REVISION = "revision";
  public static final String TAKEN_AT = "taken-at";
  /** The etcd cluster ID (hex) the snapshot was taken from, which the chains of a restore to a point must match. */
  public static final String ETCD_CLUSTER_ID = "etcd-cluster-id";
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern NAME = Pattern.compile("(\\d{8}T\\d{6}Z)-(\\d+)\\.db");
  private final S3 s3;
  private final String bucket;
  private final String prefix;
  private final String clusterName;

  /** {@code prefix}: the cluster's "directory", {@code [PREFIX/]CLUSTER-NAME/CLUSTER/}. */
  public SnapshotObjects(S3 s3, String bucket, String prefix) {
    this.s3 = s3;
    this.bucket = bucket;
    this.prefix = prefix;
    String[] segments = prefix.split("/");
    this.clusterName = segments.length >= 2 ? segments[segments.length - 2] : "";
  }

  /** {@code PREFIX/CLUSTER-NAME/CLUSTER/}, with no empty segment when there is no prefix. */
  public static String prefix(String prefix, String clusterName, String cluster) {
    return (prefix.isEmpty() ? "" : prefix + "/") + clusterName + "/" + cluster + "/";
  }

  public String key(Instant takenAt, long revision) {
    return prefix + STAMP.format(takenAt) + "-" + revision + ".db";
  }

  /** One copy: its key, when the snapshot was taken and how large it is. */
  public record Copy(String key, Instant takenAt, long size) {}

  /** The copies under the prefix named as this tool names them, newest first (not yet checked to be ours). */
  List<Copy> named() {
    List<Copy> copies = new ArrayList<>();
    s3.call("list s3://" + bucket + "/" + prefix, () -> s3.client()
        .listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix).delimiter("/")).contents().stream()
        .toList()).forEach(o -> parse(o).ifPresent(copies::add));
    copies.sort(Comparator.comparing(Copy::takenAt).thenComparing(Copy::key).reversed());
    return copies;
  }

  /** The newest copy of ours, if any. */
  public Optional<Copy> newest() {
    return named().stream().filter(this::ours).findFirst();
  }

  /** Deletes the copies of ours that {@code retention} lets go of; returns their keys. */
  public List<String> expire(Retention retention, Instant now) {
    List<Copy> ours = named().stream().filter(this::ours).toList();
    List<Copy> expired = retention.expired(ours, Copy::takenAt, c -> true, c -> false, now);
    for (Copy copy : expired) {
      s3.call("delete expired s3://" + bucket + "/" + copy.key(),
          () -> s3.client().deleteObject(r -> r.bucket(bucket).key(copy.key())));
    }
    return expired.stream().map(Copy::key).toList();
  }

  /**
   * Aborts the multipart uploads under the prefix that began before {@code before}: a run that was killed while
   * uploading leaves its parts behind, invisible but billed. Runs of one cluster never overlap (they hold the
   * volume's lock), so an upload older than this run is no live one.
   */
  public List<String> abortLeftUploads(Instant before) {
    List<MultipartUpload> left = s3.call("list the unfinished uploads under s3://" + bucket + "/" + prefix,
        () -> s3.client().listMultipartUploadsPaginator(r -> r.bucket(bucket).prefix(prefix)).uploads().stream()
            .filter(u -> u.initiated() != null && u.initiated().isBefore(before)).toList());
    for (MultipartUpload upload : left) {
      s3.call("abort the unfinished upload of s3://" + bucket + "/" + upload.key(), () -> s3.client()
          .abortMultipartUpload(r -> r.bucket(bucket).key(upload.key()).uploadId(upload.uploadId())));
    }
    return left.stream().map(MultipartUpload::key).toList();
  }

  private boolean ours(Copy copy) {
    Map<String, String> metadata = s3.call("read the metadata of s3://" + bucket + "/" + copy.key(),
        () -> s3.client().headObject(r -> r.bucket(bucket).key(copy.key())).metadata());
    return CREATED_BY_VALUE.equals(metadata.get(CREATED_BY)) && clusterName.equals(metadata.get(CLUSTER_NAME))
        && metadata.get(SHA256) != null;
  }

  private Optional<Copy> parse(S3Object object) {
    Matcher m = NAME.matcher(object.key().substring(prefix.length()));
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Copy(object.key(), STAMP.parse(m.group(1), Instant::from), object.size()));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
