package io.etcdsnapshotter.volume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;

/**
 * Older snapshots kept beside the newest one, as hard links in {@code generations/}, named by the time the
 * replaced snapshot was written so that name order is age order.
 */
final class Generations {
  static final String DIR = "generations";
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private final Path dir;

  Generations(Path volume) {
    this.dir = volume.resolve(DIR);
  }

  /** Keeps the current {@code file} as a generation before it is replaced; costs no space until it is. */
  void keep(Path file) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    PrivateFiles.ensureDirectory(dir);
    Instant written = Files.getLastModifiedTime(file).toInstant();
    Path link = dir.resolve(base(file) + "." + STAMP.format(written) + ".db");
    Files.deleteIfExists(link);
    Files.createLink(link, file);
    PrivateFiles.syncDirectory(dir);
  }

  /** Deletes the oldest generations of {@code file} until at most {@code keep} remain. */
  void prune(Path file, int keep) throws IOException {
    List<Path> all = list(file);
    for (Path old : all.subList(0, Math.max(0, all.size() - keep))) {
      Files.deleteIfExists(old);
    }
  }

  /** Deletes the oldest generation of {@code file}; false when there is none left to delete. */
  boolean dropOldest(Path file) throws IOException {
    List<Path> all = list(file);
    return !all.isEmpty() && Files.deleteIfExists(all.get(0));
  }

  List<Path> list(Path file) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    String prefix = base(file) + ".";
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(p -> p.getFileName().toString().startsWith(prefix)
              && p.getFileName().toString().endsWith(".db")
              && p.getFileName().toString().length() == prefix.length() + 19)
          .sorted()
          .toList();
    }
  }

  private static String base(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".db") ? name.substring(0, name.length() - 3) : name;
  }
}
