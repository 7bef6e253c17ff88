package io.etcdsnapshotter.config;

import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;

/** The {@code s3:} section of the config file under the S3 flags, checked before any snapshot is taken. */
final class S3ConfigLoader {
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9!_.*()-]+(/[A-Za-z0-9!_.*()-]+)*");

  private S3ConfigLoader() {}

  /** Null when neither the file nor the flags name a bucket. {@code clusterName}: the flag's, else the file's. */
  static S3Config load(ConfigFile.S3 fromFile, S3Flags flags, String clusterName) {
    ConfigFile.S3 file = fromFile == null ? new ConfigFile.S3() : fromFile;
    String bucket = first(flags.bucket(), file.bucket);
    if (bucket == null) {
      if (fromFile != null) {
        throw new ConfigException("s3.bucket is not set: name the bucket the snapshots are copied to (or"
            + " --s3-bucket), or remove the s3 section");
      }
      return null;
    }
    if (!BUCKET.matcher(bucket).matches()) {
      throw new ConfigException("S3 bucket '" + bucket + "' is not a bucket name: 3 to 63 lower-case letters, digits,"
          + " dots and dashes");
    }
    String prefix = trimSlashes(first(flags.prefix(), file.prefix));
    if (!prefix.isEmpty() && !PREFIX.matcher(prefix).matches()) {
      throw new ConfigException("S3 prefix '" + prefix + "' is not a key prefix like etcd or backups/etcd: letters,"
          + " digits and !_.*()- between single slashes");
    }
    String encryption = first(file.encryption, S3Config.KMS);
    if (!encryption.equals(S3Config.KMS) && !encryption.equals(S3Config.AES256)) {
      throw new ConfigException("s3.encryption '" + encryption + "' is not aws:kms (the default) or AES256");
    }
    String kmsKeyId = first(flags.kmsKeyId(), file.kmsKeyId);
    if (kmsKeyId != null && !encryption.equals(S3Config.KMS)) {
      throw new ConfigException("s3.kmsKeyId is set but s3.encryption is " + encryption + ": a KMS key needs aws:kms");
    }
    int keep = file.keep == null ? 0 : file.keep;
    if (keep < 0) {
      throw new ConfigException("s3.keep must be 0 (no limit) or more, not " + keep);
    }
    Duration maxAge = file.maxAge == null ? null
        : DurationParser.parse(file.maxAge, "s3.maxAge", PublishConfigLoader.MAX_SNAPSHOT_AGE);
    URI endpoint = ServiceUrl.parse(first(flags.endpoint(), file.endpoint),
        flags.endpoint() != null ? "--s3-endpoint" : "s3.endpoint", ServiceUrl.S3_EXAMPLE);
    return new S3Config(ClusterName.parse(clusterName, "clusterName (or --cluster-name), which s3 needs,"), bucket,
        prefix, blankToNull(file.region), endpoint, Boolean.TRUE.equals(file.useInstanceMetadata), encryption,
        kmsKeyId, keep, maxAge);
  }

  private static String trimSlashes(String prefix) {
    String result = prefix == null ? "" : prefix.trim();
    while (result.startsWith("/")) {
      result = result.substring(1);
    }
    while (result.endsWith("/")) {
      result = result.substring(0, result.length() - 1);
    }
    return result;
  }

  private static String first(String flag, String file) {
    return flag != null && !flag.isBlank() ? flag.trim() : blankToNull(file);
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text.trim();
  }
}
