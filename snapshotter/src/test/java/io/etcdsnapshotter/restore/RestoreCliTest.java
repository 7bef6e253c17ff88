package io.etcdsnapshotter.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restore command's exit codes: usage mistakes are 2, failed work is 1, and neither leaves a data dir. */
class RestoreCliTest {
  @TempDir Path dir;

  @Test
  void flagMistakesAreUsageErrors() throws Exception {
    Path snapshot = Files.write(dir.resolve("snap.db"), new byte[0]);
    String data = dir.resolve("data").toString();
    assertUsage("restore", snapshot.toString(), "--data-dir", data, "--bump-revision", "10");
    assertUsage("restore", snapshot.toString(), "--data-dir", data, "--mark-compacted");
    assertUsage("restore", snapshot.toString(), "--data-dir", data, "--bump-revision", "-1", "--mark-compacted");
    assertUsage("restore", snapshot.toString(), "--data-dir", data, "--name", "other");
    assertUsage("restore", snapshot.toString(), "--data-dir", data, "--initial-cluster", "default=http://h:1/");
    assertUsage("restore", "--data-dir", data);
    Files.createDirectories(dir.resolve("data/x"));
    assertUsage("restore", snapshot.toString(), "--data-dir", data);
  }

  @Test
  void badSnapshotFailsWithExitOne() throws Exception {
    Path snapshot = Files.write(dir.resolve("snap.db"), new byte[4096 + 32]);
    assertThat(Main.run("restore", snapshot.toString(), "--data-dir", dir.resolve("data").toString()))
        .isEqualTo(Main.EXIT_FAILED);
    assertThat(Main.run("restore", dir.resolve("missing.db").toString(), "--data-dir",
        dir.resolve("data").toString())).isEqualTo(Main.EXIT_FAILED);
    assertThat(dir.resolve("data")).doesNotExist();
  }

  private void assertUsage(String... args) {
    assertThat(Main.run(args)).as(String.join(" ", args)).isEqualTo(Main.EXIT_USAGE);
    assertThat(dir.resolve("data/member")).doesNotExist();
  }
}
