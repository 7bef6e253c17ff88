package io.etcdsnapshotter.e2e.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.etcd.SnapshotTool;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --keep N: the newest snapshot plus N older ones, whatever the tool names them, and nothing more. */
class SnapshotGenerationsTest {
  @Test
  void keepOneHoldsThePreviousSnapshotBesideTheNewest(@TempDir Path tmp) throws IOException {
    try (EtcdCluster cluster = EtcdCluster.start(EtcdVersion.V3_4, 1, Security.PLAIN)) {
      Path volume = tmp.resolve("volume");
      List<Long> revisions = new ArrayList<>();
      for (int run = 1; run <= 3; run++) {
        cluster.etcdctl().ok("put", "/registry/run", Integer.toString(run));
        ProcessResult result = SnapshotRun.into(volume).cluster("main", cluster).with("--keep", "1").run();
        assertThat(result.exitCode()).as(result.toString()).isZero();
        revisions.add(cluster.etcdctl().revision());
      }

      SnapshotTool etcd = new SnapshotTool(EtcdVersion.V3_4);
      Path newest = volume.resolve("snapshot.db");
      assertThat(etcd.statusJson(newest).path("revision").asLong()).isEqualTo(revisions.get(2));
      try (Stream<Path> files = Files.walk(volume)) {
        List<Path> older = files.filter(path -> path.toString().endsWith(".db") && !path.equals(newest)).toList();
        assertThat(older).singleElement().satisfies(file -> {
          assertThat(etcd.statusJson(file).path("revision").asLong()).isEqualTo(revisions.get(1));
          assertThat(Volume.mode(file)).isEqualTo("rw-------");
        });
      }
    }
  }
}
