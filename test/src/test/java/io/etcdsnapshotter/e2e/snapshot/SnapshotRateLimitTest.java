package io.etcdsnapshotter.e2e.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdsnapshotter.e2e.etcd.DataSeeder;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Json;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.etcd.SnapshotTool;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --rate-limit} holds etcd back, not just the file: the member itself takes at least the database's size
 * over the rate to send it (by its own log), less what the HTTP/2 window lets it send ahead, and the file is still
 * the member's whole database. Unlimited, the same database streams in well under a second.
 */
class SnapshotRateLimitTest {
  private static final int MEGABYTES = 40;
  private static final int MIB_PER_SECOND = 4;
  /** What etcd may send ahead of the reader: the 4 MiB flow-control window, plus a margin for the chunk in hand. */
  private static final long AHEAD_BYTES = 8L << 20;

  @TempDir Path tmp;

  @Test
  void theMemberSendsNoFasterThanTheLimitAndTheFileIsWhole() throws IOException {
    try (EtcdCluster cluster = EtcdCluster.start(EtcdVersion.V3_6, 1, Security.PLAIN)) {
      DataSeeder.fill(cluster, "big", MEGABYTES);
      Path volume = tmp.resolve("volume");

      ProcessResult run = SnapshotRun.into(volume).cluster("main", cluster)
          .with("--rate-limit", MIB_PER_SECOND + "MiB").run();

      assertThat(run.exitCode()).as(run.toString()).isZero();
      Path file = volume.resolve("snapshot.db");
      long bytes = Files.size(file);
      assertThat(bytes).isGreaterThan(MEGABYTES * (1L << 20));
      Duration least = Duration.ofMillis((bytes - AHEAD_BYTES) * 1000 / (MIB_PER_SECOND << 20));
      assertThat(sendTime(cluster.member(0).log())).as("etcd's own time to send the snapshot")
          .isGreaterThanOrEqualTo(least);

      Path theirs = tmp.resolve("etcdctl.db");
      cluster.etcdctl().saveSnapshot(theirs);
      SnapshotTool etcd = new SnapshotTool(EtcdVersion.V3_6);
      JsonNode ours = etcd.statusJson(file);
      for (String field : new String[] {"hash", "revision", "totalKey"}) {
        assertThat(ours.get(field)).as(field).isEqualTo(etcd.statusJson(theirs).get(field));
      }
    }
  }

  /** From the member's log line saying it began sending a snapshot to the one saying it sent the whole. */
  private static Duration sendTime(String log) {
    Instant began = null;
    for (String line : log.split("\n")) {
      if (line.contains("\"sending database snapshot to client\"")) {
        began = Instant.parse(Json.parse(line).path("ts").asText());
      } else if (line.contains("\"successfully sent database snapshot to client\"") && began != null) {
        return Duration.between(began, Instant.parse(Json.parse(line).path("ts").asText()));
      }
    }
    throw new AssertionError("the member never logged a whole snapshot sent:\n" + log);
  }
}
