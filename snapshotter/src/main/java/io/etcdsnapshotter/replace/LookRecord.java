package io.etcdsnapshotter.replace;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdsnapshotter.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * What automatic recovery remembers between its looks at one cluster: how many successive looks found the same thing
 * wrong (this master's member failing, or the cluster without quorum), since when, and what the last one saw. One
 * 0600 file per cluster in a 0700 dir; a healthy look deletes it. A file that cannot be read counts as none: the
 * worst that does is one more look before acting.
 */
public final class LookRecord {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** What the looks found, the same {@code looks} times in a row. */
  public enum Kind { FAILING, QUORUM_LOST }

  /** The record's content: {@code member} is this master's member, so a renamed member starts counting afresh. */
  public record Entry(String member, Kind kind, int looks, String since, String last) {}

  private final Path file;

  private LookRecord(Path file) {
    this.file = file;
  }

  /** The record of {@code cluster} in {@code dir}. */
  public static LookRecord in(Path dir, String cluster) {
    return new LookRecord(dir.resolve(cluster + ".json"));
  }

  Path file() {
    return file;
  }

  Optional<Entry> read() {
    try {
      return Optional.of(JSON.readValue(Files.readAllBytes(file), Entry.class));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Counts one more look that found {@code kind}: the first of a run when the previous look found anything else. */
  Entry count(String member, Kind kind, String what) throws IOException {
    Optional<Entry> previous = read().filter(e -> e.member().equals(member) && e.kind() == kind);
    Entry next = new Entry(member, kind, previous.map(e -> e.looks() + 1).orElse(1),
        previous.map(Entry::since).orElse(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()), what);
    PrivateFiles.ensureDirectory(file.getParent());
    PrivateFiles.writeAtomically(file, JSON.writeValueAsBytes(next));
    return next;
  }

  /** Forgets every look: the next one that finds something wrong is the first. */
  void clear() throws IOException {
    Files.deleteIfExists(file);
  }
}
