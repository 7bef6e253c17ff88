package io.etcdsnapshotter.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdsnapshotter.files.LockFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotVolumeTest {
  /** The cluster each content below was "taken of"; none recorded for the rest. */
  private static final Map<String, String> CLUSTER_OF = Map.of("old cluster", "cdf818194e3a8c32",
      "restored", "3b4e6a21f00d7c55", "restored again", "3b4e6a21f00d7c55");

  @TempDir Path tmp;

  @Test
  void commitReplacesTheFileWithPrivateModesAndLeavesNoPart() throws IOException {
    Path dir = tmp.resolve("vol");
    try (SnapshotVolume volume = SnapshotVolume.open(dir, 0)) {
      write(volume, "snapshot.db", "one");
      write(volume, "snapshot.db", "two");
    }
    assertThat(Files.readString(dir.resolve("snapshot.db"))).isEqualTo("two");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("snapshot.db"))))
        .isEqualTo("rw-------");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(".lock", "snapshot.db");
    }
  }

  @Test
  void anAbandonedPartNeverReplacesTheSnapshot() throws IOException {
    try (SnapshotVolume volume = SnapshotVolume.open(tmp, 0)) {
      write(volume, "snapshot.db", "good");
      try (PartFile part = volume.startPart("snapshot.db")) {
        part.channel().write(ByteBuffer.wrap("half".getBytes(StandardCharsets.UTF_8)));
      }
    }
    assertThat(Files.readString(tmp.resolve("snapshot.db"))).isEqualTo("good");
    assertThat(tmp.resolve(".snapshot.db.part")).doesNotExist();
  }

  @Test
  void keepsTheAskedNumberOfOlderGenerationsNewestFirst() throws IOException {
    try (SnapshotVolume volume = SnapshotVolume.open(tmp, 2)) {
      writeInTurn(volume, "snapshot-events.db", "gen1", "gen2", "gen3", "gen4");
    }
    var kept = new Generations(tmp).list(tmp.resolve("snapshot-events.db"));
    assertThat(kept).hasSize(2);
    assertThat(Files.readString(kept.get(0))).isEqualTo("gen2");
    assertThat(Files.readString(kept.get(1))).isEqualTo("gen3");
    assertThat(Files.readString(tmp.resolve("snapshot-events.db"))).isEqualTo("gen4");
  }

  /**
   * Each generation remembers the etcd cluster it was taken of, as the run that replaced it knew it, and forgets it
   * when it goes: a restore to a point never continues it with another cluster's journal.
   */
  @Test
  void aGenerationRemembersTheClusterOfTheFileItKeptUntilItGoes() throws IOException {
    try (SnapshotVolume volume = SnapshotVolume.open(tmp, 2)) {
      writeInTurn(volume, "snapshot.db", "old cluster", "restored", "restored again");
    }
    Path file = tmp.resolve("snapshot.db");
    List<Path> kept = new Generations(tmp).list(file);
    assertThat(kept).hasSize(2);
    assertThat(Generations.clusterOf(kept.get(0))).contains("cdf818194e3a8c32");
    assertThat(Generations.clusterOf(kept.get(1))).contains("3b4e6a21f00d7c55");
    try (SnapshotVolume volume = SnapshotVolume.open(tmp, 1)) {
      write(volume, "snapshot.db", "a third");
    }
    try (Stream<Path> left = Files.list(tmp.resolve("generations"))) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .as("the oldest two went with what they recorded")
          .hasSize(2).anyMatch(name -> name.endsWith(".db")).anyMatch(name -> name.endsWith(".db.cluster-id"));
    }
  }

  @Test
  void aSecondRunOnTheSameVolumeIsRefusedWhileTheFirstHoldsIt() throws IOException {
    try (SnapshotVolume first = SnapshotVolume.open(tmp, 0)) {
      assertThatThrownBy(() -> SnapshotVolume.open(tmp, 0))
          .isInstanceOf(LockFile.BusyException.class)
          .hasMessageContaining("another snapshot run holds the lock");
    }
    SnapshotVolume.open(tmp, 0).close();
  }

  @Test
  void roomIsRefusedWithBothNumbersWhenTheVolumeIsTooSmall() throws IOException {
    try (SnapshotVolume volume = SnapshotVolume.open(tmp, 0)) {
      assertThatThrownBy(() -> volume.ensureRoom("snapshot.db", Long.MAX_VALUE / 2))
          .hasMessageContaining("needs").hasMessageContaining("free").hasMessageContaining("etcd_snapshot_disk_size");
    }
  }

  @Test
  void olderGenerationsAreKeptWhenGivingThemUpWouldNotMakeRoom() throws IOException {
    try (SnapshotVolume volume = SnapshotVolume.open(tmp, 3)) {
      writeInTurn(volume, "snapshot.db", "gen1", "gen2", "gen3");
      long moreThanAllOfThemFree = Files.getFileStore(tmp).getUsableSpace() + (1L << 40);

      assertThatThrownBy(() -> volume.ensureRoom("snapshot.db", moreThanAllOfThemFree))
          .hasMessageContaining("needs").hasMessageContaining("2 older generations would not make it fit");
    }
    assertThat(new Generations(tmp).list(tmp.resolve("snapshot.db"))).hasSize(2);
    assertThat(Files.readString(tmp.resolve("snapshot.db"))).isEqualTo("gen3");
  }

  @Test
  void onlyAsManyOfTheOldestGenerationsAreChosenAsFreeTheShortfall() throws IOException {
    try (SnapshotVolume volume = SnapshotVolume.open(tmp, 3)) {
      writeInTurn(volume, "snapshot.db", "x".repeat(1000), "x".repeat(2000), "x".repeat(3000), "x".repeat(4000));
    }
    Generations generations = new Generations(tmp);
    var all = generations.list(tmp.resolve("snapshot.db"));

    assertThat(all).hasSize(3); // of 1000, 2000 and 3000 bytes
    assertThat(generations.freeing(tmp.resolve("snapshot.db"), 1000)).containsExactlyElementsOf(all.subList(0, 1));
    assertThat(generations.freeing(tmp.resolve("snapshot.db"), 1001)).containsExactlyElementsOf(all.subList(0, 2));
    assertThat(generations.freeing(tmp.resolve("snapshot.db"), 6000)).containsExactlyElementsOf(all);
    assertThat(generations.freeing(tmp.resolve("snapshot.db"), 6001)).isEmpty();
  }

  @Test
  void partsLeftByACrashedRunAreClearedAtTheNextStart() throws IOException {
    Files.writeString(tmp.resolve(".snapshot.db.part"), "debris");
    SnapshotVolume.open(tmp, 0).close();
    assertThat(tmp.resolve(".snapshot.db.part")).doesNotExist();
  }

  /** Commits each content in turn, each stamped 100 s after the one before, as runs of successive days would. */
  private void writeInTurn(SnapshotVolume volume, String name, String... contents) throws IOException {
    for (int i = 0; i < contents.length; i++) {
      write(volume, name, contents[i]);
      Files.setLastModifiedTime(tmp.resolve(name), FileTime.from(Instant.ofEpochSecond((i + 1) * 100L)));
    }
  }

  private static void write(SnapshotVolume volume, String name, String content) throws IOException {
    try (PartFile part = volume.startPart(name)) {
      part.channel().write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
      part.finish();
      Path replaced = volume.file(name);
      volume.commit(part, name, Files.exists(replaced) ? CLUSTER_OF.get(Files.readString(replaced)) : null);
    }
  }
}
