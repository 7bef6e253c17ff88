package io.etcdsnapshotter.e2e.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdsnapshotter.e2e.etcd.Json;
import io.etcdsnapshotter.e2e.fs.Sha256Sum;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What a snapshot directory holds, as the tests observe it from outside the tool. */
final class Volume {
  static final String INDEX = "snapshots.json";

  private Volume() {}

  static JsonNode index(Path dir) {
    try {
      return Json.parse(Files.readString(dir.resolve(INDEX)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The cluster's entry in snapshots.json. */
  static JsonNode entry(Path dir, String cluster) {
    return index(dir).path("clusters").path(cluster);
  }

  static String mode(Path path) {
    try {
      return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Name and SHA-256 of every file the tool must not create or change behind the operator's back: all but the
   * index (which records failures too) and the lock file.
   */
  static Map<String, String> fingerprint(Path dir) {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      list.filter(path -> !isBookkeeping(path)).forEach(path -> files.put(name(path),
          Files.isDirectory(path) ? "directory" : Sha256Sum.of(path)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  static boolean isBookkeeping(Path path) {
    return name(path).equals(INDEX) || name(path).contains("lock");
  }

  private static String name(Path path) {
    return path.getFileName().toString();
  }
}
