package io.etcdsnapshotter.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The segments that continue one full snapshot: files {@code <base revision %016x>-<sequence %016x>.journal} in a
 * cluster's journal dir, read in sequence order. A dir may hold several chains, one per base.
 */
public final class Chain {
  private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.journal");

  private final long baseRevision;
  private final List<Path> segments;

  private Chain(long baseRevision, List<Path> segments) {
    this.baseRevision = baseRevision;
    this.segments = segments;
  }

  /** Every chain in {@code dir}, oldest base first; none when the dir does not exist. */
  public static List<Chain> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    Map<Long, List<Path>> byBase = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted(Comparator.comparing(Path::getFileName)).toList()) {
        Matcher name = NAME.matcher(file.getFileName().toString());
        if (name.matches()) {
          byBase.computeIfAbsent(Long.parseUnsignedLong(name.group(1), 16), b -> new ArrayList<>()).add(file);
        }
      }
    }
    return byBase.entrySet().stream().map(e -> new Chain(e.getKey(), List.copyOf(e.getValue()))).toList();
  }

  static String segmentName(long baseRevision, long sequence) {
    return String.format("%016x-%016x.journal", baseRevision, sequence);
  }

  public long baseRevision() {
    return baseRevision;
  }

  List<Path> segments() {
    return segments;
  }

  /** A visitor of a chain's records, in order. */
  public interface RecordVisitor {
    /** @return false to stop reading */
    boolean record(Record record) throws IOException;
  }

  /**
   * Reads the records in order, checked: the chain starts with its start record, every segment names this chain,
   * revisions only grow. A torn tail of the last segment ends the chain there (it is left as it is).
   */
  public void read(RecordVisitor visitor) throws IOException {
    long revision = baseRevision;
    boolean first = true;
    for (int i = 0; i < segments.size(); i++) {
      Segment segment = Segment.read(segments.get(i), i == segments.size() - 1);
      if (segment.header() == null) {
        return;
      }
      check(segment.header().baseRevision() == baseRevision, segment, "its header names base revision "
          + segment.header().baseRevision());
      for (Record record : segment.records()) {
        if (first) {
          check(record instanceof ChainStart start && start.baseRevision() == baseRevision, segment,
              "the chain does not begin with its start record");
          first = false;
        }
        if (record instanceof RevisionRecord r) {
          check(r.revision() > revision, segment, "revision " + r.revision() + " follows " + revision);
          revision = r.revision();
        }
        if (!visitor.record(record)) {
          return;
        }
      }
    }
  }

  private static void check(boolean ok, Segment segment, String problem) throws IOException {
    if (!ok) {
      throw new IOException("journal segment " + segment.file() + " is inconsistent: " + problem
          + "; move the chain aside and start a new one from a new snapshot");
    }
  }
}
