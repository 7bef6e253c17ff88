package io.etcdsnapshotter.volume;

import io.etcdsnapshotter.files.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Older snapshots kept beside the newest one, as hard links in {@code generations/}, named by the time (to the
 * millisecond) the replaced snapshot was written, so that name order is age order.
 */
final class Generations {
  static final String DIR = "generations";
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
  private static final int STAMP_LENGTH = 19;
  private final Path dir;

  Generations(Path volume) {
    this.dir = volume.resolve(DIR);
  }

  /**
   * Keeps the current {@code file} as a generation before it is replaced; costs no space until it is. {@code
   * clusterId}, the etcd cluster ID (hex) the file was taken of, is kept beside it when known (else null): a restore
   * to a point pairs a generation only with a journal chain of its own cluster.
   */
  void keep(Path file, String clusterId) throws IOException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    PrivateFiles.ensureDirectory(dir);
    Instant written = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toInstant();
    Path link = dir.resolve(base(file) + "." + STAMP.format(written) + ".db");
    delete(link);
    if (clusterId != null) {
      PrivateFiles.writeAtomically(clusterFile(link), (clusterId + "\n").getBytes(StandardCharsets.US_ASCII));
    }
    Files.createLink(link, file);
    PrivateFiles.syncDirectory(dir);
  }

  /** The etcd cluster ID (hex) {@code generation} was taken of, if it was recorded when it was kept. */
  static Optional<String> clusterOf(Path generation) throws IOException {
    Path recorded = clusterFile(generation);
    if (!Files.isRegularFile(recorded, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    String id = Files.readString(recorded, StandardCharsets.US_ASCII).strip();
    return id.isEmpty() ? Optional.empty() : Optional.of(id);
  }

  /** Deletes a generation and what is recorded beside it. */
  static void delete(Path generation) throws IOException {
    Files.deleteIfExists(generation);
    Files.deleteIfExists(clusterFile(generation));
  }

  private static Path clusterFile(Path generation) {
    return generation.resolveSibling(generation.getFileName() + ".cluster-id");
  }

  /** Deletes the oldest generations of {@code file} until at most {@code keep} remain. */
  void prune(Path file, int keep) throws IOException {
    List<Path> all = list(file);
    for (Path old : all.subList(0, Math.max(0, all.size() - keep))) {
      delete(old);
    }
  }

  /**
   * The oldest generations of {@code file} whose deletion frees at least {@code bytes}, oldest first; empty when
   * deleting all of them would not: then none is worth giving up.
   */
  List<Path> freeing(Path file, long bytes) throws IOException {
    List<Path> chosen = new ArrayList<>();
    long freed = 0;
    for (Path generation : list(file)) {
      if (freed >= bytes) {
        break;
      }
      chosen.add(generation);
      freed += freedByDeleting(generation);
    }
    return freed >= bytes ? chosen : List.of();
  }

  /** What deleting a generation frees: its size, or nothing while another name still links the same file. */
  private static long freedByDeleting(Path generation) throws IOException {
    Map<String, Object> attributes = Files.readAttributes(generation, "unix:size,nlink", LinkOption.NOFOLLOW_LINKS);
    return (Integer) attributes.get("nlink") > 1 ? 0 : (Long) attributes.get("size");
  }

  List<Path> list(Path file) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of(); // absent, or a link that is not ours to look into (the volume refuses to open with one)
    }
    String prefix = base(file) + ".";
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(p -> p.getFileName().toString().startsWith(prefix)
              && p.getFileName().toString().endsWith(".db")
              && p.getFileName().toString().length() == prefix.length() + STAMP_LENGTH + 3)
          .sorted()
          .toList();
    }
  }

  private static String base(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".db") ? name.substring(0, name.length() - 3) : name;
  }
}
