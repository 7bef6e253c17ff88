package io.etcdsnapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.config.PublishConfig;
import io.etcdsnapshotter.volume.SnapshotIndex;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The publish step with nothing to publish to. What it records on a real PVC and in EC2 (a partly failed run, a
 * missing claim, unencrypted volumes) is tested end to end against kube-apiserver and moto, by the jar running with
 * the addon's ServiceAccount: test/.../e2e/aws/PublishTest.
 */
class PublicationTest {
  private static final Instant AT = Instant.parse("2026-06-30T06:02:00Z");

  /** Needs no server: with neither kubernetes nor aws configured, nothing is connected to. */
  @Test
  void withNothingConfiguredNothingIsPublished() {
    SnapshotIndex.Entry entry = new SnapshotIndex.Entry();
    entry.file = "snapshot-main.db";
    entry.revision = 1L;
    entry.sha256 = "ab".repeat(32);
    entry.takenAt = AT.toString();

    assertThat(new Publication(PublishConfig.NONE)
        .publish(List.of(new ClusterOutcome("main", "http://127.0.0.1:2379", entry, null)), List.of(), AT))
        .isEqualTo(PublishOutcome.NONE);
  }
}
