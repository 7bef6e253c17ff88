package io.etcdsnapshotter.s3;

import io.etcdsnapshotter.Bytes;
import io.etcdsnapshotter.Sha256;
import io.etcdsnapshotter.aws.AwsException;
import io.etcdsnapshotter.files.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * A snapshot copy read back from S3: found first (the newest of ours for a {@code .../latest}; its size and recorded
 * SHA-256 known before a byte is read), then streamed into a new 0600 file while hashed, and refused when its bytes
 * do not hash to what its metadata records.
 */
public final class ObjectDownload {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectDownload.class);
  private static final int READ = 1 << 20;
  private final S3 s3;

  public ObjectDownload(S3 s3) {
    this.s3 = s3;
  }

  /**
   * One object of ours as S3 describes it; {@code eTag} pins the download to this very object. {@code clusterId}:
   * the etcd cluster it is a snapshot of, null for a copy uploaded before copies recorded it.
   */
  public record Found(S3Location location, long size, String sha256, String eTag, String clusterId) {}

  /** Resolves {@code .../latest} and reads the object's metadata; fails in one line when it is not a copy of ours. */
  public Found find(S3Location location) {
    S3Location object = location.latest() ? newest(location) : location;
    HeadObjectResponse head = s3.call("read the metadata of " + object, () -> s3.client()
        .headObject(r -> r.bucket(object.bucket()).key(object.key()).versionId(object.versionId())));
    String sha256 = head.metadata().get(SnapshotObjects.SHA256);
    if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
      throw new AwsException(object + " records no sha256 in its metadata: it is no copy made by etcd-snapshotter"
          + " (or its metadata was replaced), so it cannot be checked; name a copy the snapshot command uploaded");
    }
    return new Found(object, head.contentLength(), sha256, head.eTag(),
        head.metadata().get(SnapshotObjects.ETCD_CLUSTER_ID));
  }

  /** Streams the object into {@code file} (created new, 0600) and checks it; throws, one line, when damaged. */
  public void download(Found found, Path file) throws IOException {
    S3Location at = found.location();
    GetObjectRequest request = GetObjectRequest.builder().bucket(at.bucket()).key(at.key())
        .versionId(at.versionId()).ifMatch(found.eTag()).checksumMode(ChecksumMode.ENABLED).build();
    MessageDigest digest = Sha256.digest();
    long total = 0;
    try (ResponseInputStream<GetObjectResponse> in = s3.call("read " + at, () -> s3.client().getObject(request));
        FileChannel out = PrivateFiles.createNew(file)) {
      total = copy(in, out, digest);
      out.force(false);
    }
    String computed = HexFormat.of().formatHex(digest.digest());
    if (total != found.size() || !computed.equals(found.sha256())) {
      throw new IOException(at + " is damaged: its metadata records sha256 " + found.sha256() + " of "
          + found.size() + " bytes, but the " + total + " bytes read hash to " + computed + "; nothing was"
          + " restored from it: use another copy under s3://" + at.bucket() + "/" + at.prefix());
    }
    LOG.atInfo().addKeyValue("object", at.toString()).addKeyValue("bytes", total)
        .log("read {} ({}), sha256 {} as recorded", at, Bytes.human(total), computed);
  }

  /** True when {@code file} already holds exactly the object's bytes (same size and SHA-256). */
  public static boolean holds(Found found, Path file) throws IOException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) != found.size()) {
      return false;
    }
    return Sha256.ofFile(file).equals(found.sha256());
  }

  private static long copy(InputStream in, FileChannel out, MessageDigest digest) throws IOException {
    byte[] buffer = new byte[READ];
    long total = 0;
    for (int read; (read = in.read(buffer)) >= 0; ) {
      digest.update(buffer, 0, read);
      ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, read);
      while (chunk.hasRemaining()) {
        out.write(chunk);
      }
      total += read;
    }
    return total;
  }

  private S3Location newest(S3Location latest) {
    return new SnapshotObjects(s3, latest.bucket(), latest.prefix()).newest().map(c -> latest.at(c.key()))
        .orElseThrow(() -> new AwsException("no snapshot copy made by etcd-snapshotter under s3://"
            + latest.bucket() + "/" + latest.prefix() + ": check the bucket, the prefix, the cluster name and the"
            + " etcd cluster (s3://BUCKET/PREFIX/CLUSTER-NAME/CLUSTER/latest)"));
  }
}
