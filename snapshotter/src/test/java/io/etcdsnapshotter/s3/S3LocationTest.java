package io.etcdsnapshotter.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdsnapshotter.UsageException;
import org.junit.jupiter.api.Test;

class S3LocationTest {
  @Test
  void namesAnObjectOrTheNewestCopyUnderAPrefix() {
    S3Location latest = S3Location.parse("s3://backups/etcd/prod/main/latest", "FILE");
    assertThat(latest.latest()).isTrue();
    assertThat(latest.prefix()).isEqualTo("etcd/prod/main/");
    S3Location pinned = S3Location.parse("s3://backups/etcd/prod/main/20250101T000000Z-9.db?versionId=v1", "FILE");
    assertThat(pinned).isEqualTo(new S3Location("backups", "etcd/prod/main/20250101T000000Z-9.db", "v1"));
    assertThat(pinned.latest()).isFalse();
    assertThat(pinned.toString()).isEqualTo("s3://backups/etcd/prod/main/20250101T000000Z-9.db?versionId=v1");
  }

  @Test
  void anythingElseIsAUsageErrorShowingTheForm() {
    assertThatThrownBy(() -> S3Location.parse("s3://backups", "FILE")).isInstanceOf(UsageException.class)
        .hasMessageContaining("write s3://BUCKET/KEY");
    assertThat(S3Location.named("/var/etcd-snapshot/snapshot.db")).isFalse();
  }
}
