package io.etcdsnapshotter.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdsnapshotter.UsageException;
import io.etcdsnapshotter.files.LockFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A directory that is not this tool's is never changed, and links inside one are never followed. */
class VolumeDirectoryTest {
  @TempDir Path tmp;

  @Test
  void aDirectoryHoldingOtherFilesIsRefusedUntouched() throws IOException {
    Path etc = Files.createDirectory(tmp.resolve("etc"));
    Files.writeString(etc.resolve("passwd"), "root:x:0:0");
    Files.setPosixFilePermissions(etc, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThatThrownBy(() -> SnapshotVolume.open(etc, 0))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining(etc.toString()).hasMessageContaining("passwd").hasMessageNotContaining("\n");

    assertThat(mode(etc)).isEqualTo("rwxr-xr-x");
    assertThat(names(etc)).containsExactly("passwd");
  }

  @Test
  void aDirectoryOfOurOwnFilesAndTheFileSystemsLostAndFoundIsUsedAndTightened() throws IOException {
    Path volume = Files.createDirectory(tmp.resolve("volume"));
    Files.createDirectory(volume.resolve("lost+found"));
    Files.createDirectory(volume.resolve(Generations.DIR));
    Files.writeString(volume.resolve("snapshot-events.db"), "old");
    Files.writeString(volume.resolve(SnapshotIndex.FILE), "{}");
    Files.writeString(volume.resolve(".snapshot.db.part"), "debris");
    Files.setPosixFilePermissions(volume, PosixFilePermissions.fromString("rwxr-xr-x"));

    SnapshotVolume.open(volume, 0).close();

    assertThat(mode(volume)).isEqualTo("rwx------");
    assertThat(Files.readString(volume.resolve("snapshot-events.db"))).isEqualTo("old");
    assertThat(volume.resolve(".snapshot.db.part")).doesNotExist();
  }

  @Test
  void aLinkedGenerationsDirectoryIsRefusedAndItsTargetUntouched() throws IOException {
    Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
    Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path volume = Files.createDirectory(tmp.resolve("volume"));
    Files.createSymbolicLink(volume.resolve(Generations.DIR), elsewhere);

    assertThatThrownBy(() -> SnapshotVolume.open(volume, 2))
        .isInstanceOf(UsageException.class).hasMessageContaining("generations (a symbolic link)");

    assertThat(mode(elsewhere)).isEqualTo("rwxr-xr-x");
    assertThat(names(volume)).containsExactly(Generations.DIR);
  }

  @Test
  void aLinkAtTheLockIsRefusedAndItsTargetKeepsItsContent() throws IOException {
    Path precious = Files.writeString(tmp.resolve("precious"), "do not truncate");
    Path volume = Files.createDirectory(tmp.resolve("volume"));
    Files.createSymbolicLink(volume.resolve(SnapshotVolume.LOCK), precious);

    assertThatThrownBy(() -> SnapshotVolume.open(volume, 0)).isInstanceOf(UsageException.class)
        .hasMessageContaining(".lock (a symbolic link)");
    assertThatThrownBy(() -> LockFile.acquire(volume.resolve(SnapshotVolume.LOCK), "busy"))
        .isInstanceOf(IOException.class);

    assertThat(Files.readString(precious)).isEqualTo("do not truncate");
  }

  @Test
  void aLinkInPlaceOfTheIndexIsNeitherReadNorWrittenThrough() throws IOException {
    Path elsewhere = Files.writeString(tmp.resolve("elsewhere.json"),
        "{\"clusters\":{\"main\":{\"file\":\"snapshot.db\",\"revision\":7}}}");
    Path volume = Files.createDirectory(tmp.resolve("volume"));
    Files.createSymbolicLink(volume.resolve(SnapshotIndex.FILE), elsewhere);

    SnapshotIndex index = SnapshotIndex.load(volume);
    assertThat(index.clusters()).isEmpty();
    index.recordFailure("main", "2026-01-01T00:00:00Z", "failed");

    assertThat(Files.isSymbolicLink(volume.resolve(SnapshotIndex.FILE))).isFalse();
    assertThat(Files.readString(elsewhere)).contains("\"revision\":7").doesNotContain("failed");
  }

  @Test
  void aPartFileIsNeverOpenedThroughALink() throws IOException {
    Path precious = Files.writeString(tmp.resolve("precious"), "keep");
    Path volume = Files.createDirectory(tmp.resolve("volume"));
    try (SnapshotVolume open = SnapshotVolume.open(volume, 0)) {
      Files.createSymbolicLink(volume.resolve(".snapshot.db.part"), precious);
      assertThatThrownBy(() -> open.startPart("snapshot.db")).isInstanceOf(IOException.class);
    }
    assertThat(Files.readString(precious)).isEqualTo("keep");
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  private static java.util.List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
