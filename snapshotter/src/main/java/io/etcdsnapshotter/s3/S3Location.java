package io.etcdsnapshotter.s3;

import io.etcdsnapshotter.UsageException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An object as operators name it, {@code s3://BUCKET/KEY}, optionally {@code ?versionId=ID} to pin one version of a
 * versioned bucket. A key ending in {@code /latest} names the newest of this tool's snapshots under that prefix.
 */
public record S3Location(String bucket, String key, String versionId) {
  public static final String SCHEME = "s3://";
  static final String LATEST = "latest";
  private static final Pattern FORM =
      Pattern.compile("s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/([^?]+?)(?:\\?versionId=([^&]+))?");

  public static boolean named(String text) {
    return text != null && text.startsWith(SCHEME);
  }

  /** {@code what} names the argument or flag for the message. */
  public static S3Location parse(String text, String what) {
    Matcher m = FORM.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new UsageException(what + " '" + text + "' is not an S3 object: write s3://BUCKET/KEY, e.g."
          + " s3://backups/etcd/prod/main/latest for the newest snapshot of cluster prod's main etcd");
    }
    return new S3Location(m.group(1), m.group(2), m.group(3));
  }

  /** Names the newest snapshot under {@link #prefix()} rather than one object. */
  public boolean latest() {
    return versionId == null && (key.equals(LATEST) || key.endsWith("/" + LATEST));
  }

  /** The key's "directory", with its trailing slash; empty at the top of the bucket. */
  public String prefix() {
    int slash = key.lastIndexOf('/');
    return slash < 0 ? "" : key.substring(0, slash + 1);
  }

  public S3Location at(String otherKey) {
    return new S3Location(bucket, otherKey, null);
  }

  @Override
  public String toString() {
    return SCHEME + bucket + "/" + key + (versionId == null ? "" : "?versionId=" + versionId);
  }
}
