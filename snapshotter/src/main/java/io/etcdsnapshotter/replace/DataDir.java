package io.etcdsnapshotter.replace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Whether a member's data dir still holds what etcd runs from. etcd keeps serving from open files after its data dir
 * was deleted or its disk replaced, so a member that answers may still have lost its data.
 */
final class DataDir {
  private DataDir() {}

  /** What is missing from {@code dir}, or empty when it has a database and a WAL. */
  static Optional<String> problem(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Optional.of("its data dir " + dir + " is missing");
    }
    if (!Files.isRegularFile(dir.resolve("member/snap/db"))) {
      return Optional.of("its data dir " + dir + " has no database (member/snap/db)");
    }
    if (!hasWal(dir.resolve("member/wal"))) {
      return Optional.of("its data dir " + dir + " has no WAL (member/wal/*.wal)");
    }
    return Optional.empty();
  }

  private static boolean hasWal(Path walDir) {
    if (!Files.isDirectory(walDir)) {
      return false;
    }
    try (Stream<Path> files = Files.list(walDir)) {
      return files.anyMatch(file -> file.getFileName().toString().endsWith(".wal"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + walDir + ": " + e.getMessage(), e);
    }
  }
}
