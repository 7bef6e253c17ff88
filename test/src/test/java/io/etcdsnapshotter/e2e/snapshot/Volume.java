package io.etcdsnapshotter.e2e.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdsnapshotter.e2e.etcd.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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
      list.filter(path -> !isBookkeeping(path)).forEach(path -> files.put(name(path), sha256(path)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  static boolean isBookkeeping(Path path) {
    return name(path).equals(INDEX) || name(path).contains("lock");
  }

  static String sha256(Path file) {
    if (Files.isDirectory(file)) {
      return "directory";
    }
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      try (var in = Files.newInputStream(file)) {
        byte[] buffer = new byte[1 << 20];
        for (int n; (n = in.read(buffer)) > 0; ) {
          digest.update(buffer, 0, n);
        }
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String name(Path path) {
    return path.getFileName().toString();
  }
}
