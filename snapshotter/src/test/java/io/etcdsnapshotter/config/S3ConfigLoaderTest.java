package io.etcdsnapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3ConfigLoaderTest {
  @TempDir Path tmp;

  @Test
  void withoutABucketNothingIsCopied() throws IOException {
    assertThat(load(S3Flags.NONE, "dir: /snap").s3()).isNull();
  }

  @Test
  void readsEverySettingWithKmsByDefault() throws IOException {
    assertThat(load(S3Flags.NONE, "clusterName: prod", "s3:", "  bucket: etcd-backups", "  prefix: /backups/etcd/",
        "  region: eu-west-1", "  endpoint: http://127.0.0.1:5000", "  kmsKeyId: alias/etcd", "  keep: 7",
        "  maxAge: 30d", "  useInstanceMetadata: true").s3())
        .isEqualTo(new S3Config("prod", "etcd-backups", "backups/etcd", "eu-west-1", URI.create("http://127.0.0.1:5000"),
            true, S3Config.KMS, "alias/etcd", 7, Duration.ofDays(30)));
  }

  @Test
  void flagsOverTheFileAndEnableCopiesWithoutASection() throws IOException {
    S3Config s3 = load(new S3Flags("flag-bucket", "p", "http://127.0.0.1:9", "key-1"), "clusterName: prod").s3();
    assertThat(s3).isEqualTo(new S3Config("prod", "flag-bucket", "p", null, URI.create("http://127.0.0.1:9"), false,
        S3Config.KMS, "key-1", 0, null));
  }

  @Test
  void refusesWhatCannotWorkBeforeAnySnapshot() {
    assertThatThrownBy(() -> load(S3Flags.NONE, "s3: {bucket: b1b}")).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("clusterName (or --cluster-name), which s3 needs, is not set");
    assertThatThrownBy(() -> load(S3Flags.NONE, "clusterName: prod", "s3: {prefix: x}"))
        .hasMessageStartingWith("s3.bucket is not set");
    assertThatThrownBy(() -> load(S3Flags.NONE, "clusterName: prod", "s3: {bucket: Bad_Bucket}"))
        .hasMessageStartingWith("S3 bucket 'Bad_Bucket' is not a bucket name");
    assertThatThrownBy(() -> load(S3Flags.NONE, "clusterName: prod", "s3: {bucket: b1b, prefix: 'a//b'}"))
        .hasMessageStartingWith("S3 prefix 'a//b' is not a key prefix");
    assertThatThrownBy(() -> load(S3Flags.NONE, "clusterName: prod", "s3: {bucket: b1b, encryption: AES256,"
        + " kmsKeyId: k}")).hasMessageStartingWith("s3.kmsKeyId is set but s3.encryption is AES256");
    assertThatThrownBy(() -> load(S3Flags.NONE, "clusterName: prod", "s3: {bucket: b1b, keep: -1}"))
        .hasMessageStartingWith("s3.keep must be 0 (no limit) or more");
  }

  private SnapshotConfig load(S3Flags flags, String... lines) throws IOException {
    Path yaml = Files.writeString(tmp.resolve("config.yaml"), String.join("\n", lines) + "\n");
    return SnapshotConfigLoader.load(new SnapshotSettings(yaml, null, null, null, null, List.of(), TlsFiles.NONE,
        null, null, null, null, null, null, null, null, null), flags);
  }
}
