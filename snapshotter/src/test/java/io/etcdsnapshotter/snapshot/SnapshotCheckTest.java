package io.etcdsnapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdsnapshotter.bolt.SnapshotFixtures;
import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.volume.SnapshotIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What {@code snapshots.json} records of a streamed file: the status of the file's own etcdutl. */
class SnapshotCheckTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"3.4, 3270,", "3.5, 3272,", "3.6, 2417, 3.6.0", "3.7, 2417, 3.7.0"})
  void recordsTheStorageVersionAndTheTotalKeyOfTheFilesOwnSemantics(String release, long totalKey,
      String storageVersion) throws IOException {
    SnapshotCheck.Contents contents = SnapshotCheck.inspect(SnapshotFixtures.snapshot(release), DataKeys.NONE);
    JsonNode etcd = new ObjectMapper().readTree(SnapshotFixtures.statusJson(release));
    assertThat(contents.totalKey()).isEqualTo(totalKey).isEqualTo(etcd.path("totalKey").asLong());
    assertThat(contents.hash()).isEqualTo(etcd.path("hash").asLong());
    assertThat(contents.revision()).isEqualTo(etcd.path("revision").asLong());
    assertThat(contents.totalSize()).isEqualTo(etcd.path("totalSize").asLong());
    assertThat(contents.storageVersion()).isEqualTo(storageVersion);
  }

  @Test
  void theIndexNamesTheStorageVersionOnlyWhenThereIsOne() throws IOException {
    SnapshotIndex index = SnapshotIndex.load(dir);
    index.recordSuccess("main", storageVersionOf(SnapshotFixtures.snapshot("3.6")));
    index.recordSuccess("events", storageVersionOf(SnapshotFixtures.snapshot("3.5")));
    JsonNode clusters = new ObjectMapper().readTree(dir.resolve(SnapshotIndex.FILE).toFile()).path("clusters");
    assertThat(clusters.path("main").path("storageVersion").asText()).isEqualTo("3.6.0");
    assertThat(clusters.path("events").has("storageVersion")).isFalse();
    assertThat(SnapshotIndex.load(dir).clusters().get("main").storageVersion).isEqualTo("3.6.0");
  }

  /** An index entry holding just the storage version the check found in {@code file}. */
  private static SnapshotIndex.Entry storageVersionOf(Path file) throws IOException {
    SnapshotIndex.Entry entry = new SnapshotIndex.Entry();
    entry.storageVersion = SnapshotCheck.inspect(file, DataKeys.NONE).storageVersion();
    return entry;
  }

  @Test
  void aFileThatIsNoDatabaseKeepsThePreviousSnapshot() throws IOException {
    Path junk = Files.write(dir.resolve("junk.db"), new byte[8192]);
    assertThatThrownBy(() -> SnapshotCheck.inspect(junk, DataKeys.NONE))
        .hasMessageStartingWith("the streamed file is not a sound database, previous snapshot kept: ");
  }
}
