package io.etcdsnapshotter.replace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data dir counts as in place only with the database and a WAL segment etcd starts from. */
class DataDirTest {
  @TempDir Path root;

  @Test
  void aDataDirWithDatabaseAndWalIsInPlace() throws Exception {
    Path dir = dataDir(true, true);

    assertThat(DataDir.problem(dir)).isEmpty();
  }

  @Test
  void eachMissingPartIsNamed() throws Exception {
    assertThat(DataDir.problem(root.resolve("gone"))).hasValue("its data dir " + root.resolve("gone")
        + " is missing");
    assertThat(DataDir.problem(dataDir(false, true))).get().asString().endsWith("has no database (member/snap/db)");
    assertThat(DataDir.problem(dataDir(true, false))).get().asString().endsWith("has no WAL (member/wal/*.wal)");
  }

  private Path dataDir(boolean db, boolean wal) throws Exception {
    Path dir = Files.createTempDirectory(root, "data");
    Files.createDirectories(dir.resolve("member/snap"));
    Files.createDirectories(dir.resolve("member/wal"));
    if (db) {
      Files.write(dir.resolve("member/snap/db"), new byte[4096]);
    }
    if (wal) {
      Files.write(dir.resolve("member/wal/0000000000000000-0000000000000000.wal"), new byte[64]);
    }
    return dir;
  }
}
