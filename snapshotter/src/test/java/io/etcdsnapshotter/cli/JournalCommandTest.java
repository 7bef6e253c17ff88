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
        .contains("take one first (snapshot --dir " + dir.resolve("volume") + ")")
        .contains("or give journal --snapshot-interval to take one itself");
    assertThat(dir.resolve("volume")).doesNotExist();
  }

  @Test
  void anFsyncIntervalOfZeroIsRefused() {
    CliRun run = CliRun.of("journal", "--dir", dir.toString(), "--fsync-interval", "0s");
    assertThat(run.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(run.err()).contains("--fsync-interval '0s' is out of range");
  }

  @Test
  void aSnapshotIntervalThatIsNotADurationIsRefused() {
    CliRun run = CliRun.of("journal", "--dir", dir.resolve("volume").toString(), "--snapshot-interval", "6 hours");
    assertThat(run.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(run.err().lines()).singleElement().asString().contains("--snapshot-interval '6 hours' is not a duration");
    assertThat(dir.resolve("volume")).doesNotExist();
  }

  @Test
  void restoreTakesExactlyOneTargetAndFindsTheJournalOnlyBesideAVolumesFile() throws Exception {
    Path snapshot = Files.createFile(dir.resolve("snapshot.db"));
    CliRun run = CliRun.of("restore", snapshot.toString(), "--journal", dir.toString(), "--data-dir",
        dir.resolve("out").toString());
    assertThat(run.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(run.err()).contains("--journal goes with --to-revision or --to-time");
    assertThat(dir.resolve("out")).doesNotExist();
    CliRun both = CliRun.of("restore", snapshot.toString(), "--journal", dir.toString(), "--to-revision", "5",
        "--to-time", "2026-12-01T13:20:00Z", "--data-dir", dir.resolve("out").toString());
    assertThat(both.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(both.err()).contains("--to-revision and --to-time each name the point to restore to; give one");
    Path elsewhere = Files.createFile(dir.resolve("copy.db"));
    CliRun noJournal = CliRun.of("restore", elsewhere.toString(), "--to-revision", "5", "--data-dir",
        dir.resolve("out").toString());
    assertThat(noJournal.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(noJournal.err()).contains("need --journal DIR when FILE (" + elsewhere + ") is not a snapshot volume's");
    CliRun notATime = CliRun.of("restore", snapshot.toString(), "--journal", dir.toString(), "--to-time",
        "yesterday", "--data-dir", dir.resolve("out").toString());
    assertThat(notATime.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(notATime.err()).contains("--to-time");
  }
}
