package io.etcdsnapshotter.e2e.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Mistakes on the command line are usage errors (exit 2), caught before anything is touched. */
class SnapshotUsageTest {
  @ParameterizedTest
  @ValueSource(strings = {"main", "main=", "main=ftp://127.0.0.1:2379", "=http://127.0.0.1:2379"})
  void aMalformedClusterIsAUsageError(String cluster, @TempDir Path tmp) {
    Path volume = tmp.resolve("volume");

    ProcessResult run = Jar.run("snapshot", "--dir", volume.toString(), "--cluster", cluster);

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(Jar.messages(run)).as(run.toString()).hasSize(1);
    assertThat(Jar.hasStackTrace(run)).as(run.toString()).isFalse();
    assertThat(volume).doesNotExist();
  }
}
