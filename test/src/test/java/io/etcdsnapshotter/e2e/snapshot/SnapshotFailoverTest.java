package io.etcdsnapshotter.e2e.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.etcd.DataSeeder;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.etcd.SnapshotTool;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A cluster whose first listed member is down is still saved, from the next member that is healthy. */
class SnapshotFailoverTest {
  @ParameterizedTest
  @EnumSource(EtcdVersion.class)
  void firstEndpointDownSnapshotComesFromTheNextHealthyOne(EtcdVersion version, @TempDir Path tmp) {
    try (EtcdCluster cluster = EtcdCluster.start(version, 3, Security.PLAIN)) {
      DataSeeder.Seeded seeded = DataSeeder.seed(cluster, "registry", 1_000);
      cluster.member(0).stop();
      Path volume = tmp.resolve("volume");

      ProcessResult run = SnapshotRun.into(volume).cluster("main", cluster).run();

      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(Volume.entry(volume, "main").path("member").asText())
          .isEqualTo(cluster.etcdctl(cluster.member(1)).memberIdHex());
      assertThat(new SnapshotTool(version).statusJson(volume.resolve("snapshot.db")).path("revision").asLong())
          .isEqualTo(seeded.revision());
    }
  }
}
