package io.etcdsnapshotter.e2e.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcdsnapshotter.e2e.etcd.DataSeeder;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore onto a file system too small for the data dir (a real tmpfs, as a too-small mounted volume would be)
 * must fail in one line naming the space, and leave the target as empty as it found it.
 */
class RestoreSpaceTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private Path mounted;

  @Test
  void tooLittleSpaceIsOneLineAndLeavesTheTargetEmpty() throws Exception {
    Path snapshot = snapshotOfAboutMegabytes(24);
    Path target = Files.createDirectory(dir.resolve("small"));
    ProcessResult mount = Processes.run(List.of("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", target.toString()),
        WAIT);
    assumeTrue(mount.exitCode() == 0, "cannot mount a tmpfs here (needs root): " + mount.stderr());
    mounted = target;

    ProcessResult result = Jar.run("restore", snapshot.toString(), "--data-dir", target.toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.stderrLines()).as(result.toString()).singleElement().asString().contains("space");
    assertThat(Jar.hasStackTrace(result)).isFalse();
    try (Stream<Path> left = Files.list(target)) {
      assertThat(left).isEmpty();
    }
  }

  @AfterEach
  void unmount() {
    if (mounted != null) {
      Processes.run(List.of("umount", mounted.toString()), WAIT);
    }
  }

  private Path snapshotOfAboutMegabytes(int megabytes) {
    try (EtcdCluster cluster = EtcdCluster.start(EtcdVersion.V3_4, 1, Security.PLAIN)) {
      DataSeeder.fill(cluster, "space", megabytes);
      Path volume = dir.resolve("volume");
      ProcessResult saved = Jar.run("snapshot", "--dir", volume.toString(), "--cluster", "main=" + cluster.endpoints());
      assertThat(saved.exitCode()).as(saved.toString()).isZero();
      return volume.resolve("snapshot.db");
    }
  }
}
