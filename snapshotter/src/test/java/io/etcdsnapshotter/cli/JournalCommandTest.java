package io.etcdsnapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the journal command and restore's journal flags refuse before touching etcd or a file. */
class JournalCommandTest {
  @TempDir Path dir;

  @Test
  void aClusterWithoutASnapshotToContinueIsAUsageErrorNamingTheFix() {
    CliRun run = CliRun.of("journal", "--dir", dir.resolve("volume").toString(), "--cluster",
        "main=http://127.0.0.1:1");
    assertThat(run.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(run.err().lines()).singleElement().asString().contains("cluster main has no snapshot recorded")
        .contains("take one first (snapshot --dir " + dir.resolve("volume") + ")");
    assertThat(dir.resolve("volume")).doesNotExist();
  }

  @Test
  void anFsyncIntervalOfZeroIsRefused() {
    CliRun run = CliRun.of("journal", "--dir", dir.toString(), "--fsync-interval", "0s");
    assertThat(run.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(run.err()).contains("--fsync-interval '0s' is out of range");
  }

  @Test
  void restoreTakesTheJournalAndTheTargetRevisionTogether() throws Exception {
    Path snapshot = Files.createFile(dir.resolve("snapshot.db"));
    CliRun run = CliRun.of("restore", snapshot.toString(), "--journal", dir.toString(), "--data-dir",
        dir.resolve("out").toString());
    assertThat(run.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(run.err()).contains("--journal and --to-revision go together");
    assertThat(dir.resolve("out")).doesNotExist();
  }
}
