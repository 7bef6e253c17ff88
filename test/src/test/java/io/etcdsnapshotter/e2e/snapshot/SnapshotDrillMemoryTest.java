package io.etcdsnapshotter.e2e.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.etcd.DataSeeder;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drill keeps the CronJob's flat memory: a database more than twice the heap is saved and drilled with the
 * CronJob's -Xmx128m, the restore streaming page by page as {@code restore} does.
 */
class SnapshotDrillMemoryTest {
  private static final int MEGABYTES = 300;

  @TempDir Path tmp;

  @Test
  void aFewHundredMegabyteDatabaseIsDrilledInTheCronJobsHeap() throws IOException {
    try (EtcdCluster cluster = EtcdCluster.start(EtcdVersion.V3_6, 1, Security.PLAIN)) {
      DataSeeder.fill(cluster, "big", MEGABYTES);
      Path scratch = Files.createDirectory(tmp.resolve("scratch"));
      String[] args = SnapshotRun.into(tmp.resolve("volume")).cluster("main", cluster)
          .with("--drill", "--drill-dir", scratch.toString()).args();

      ProcessResult run = Jar.runWithJvmOptions(List.of("-XX:+UseSerialGC", "-Xmx128m"), args);

      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(Files.size(tmp.resolve("volume/snapshot.db"))).isGreaterThan(MEGABYTES * 1024L * 1024);
      assertThat(Volume.entry(tmp.resolve("volume"), "main").path("drill").path("result").asText()).isEqualTo("ok");
      try (Stream<Path> left = Files.list(scratch)) {
        assertThat(left).as("the scratch dir is deleted").isEmpty();
      }
    }
  }
}
