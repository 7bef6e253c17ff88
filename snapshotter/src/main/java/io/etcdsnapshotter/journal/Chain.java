package io.etcdsnapshotter.journal;

import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.files.PrivateFiles;
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
 * cluster's journal dir, read in sequence order. A dir may hold several chains, one per base. A chain may also be
 * one segment taken alone, to check that file.
 */
public final class Chain {
  private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.journal");

  private final long baseRevision;
  private final List<Path> segments;
  /** The sequence of the first segment: 0 unless a segment is taken alone. */
  private final long firstSequence;
  /** Whether the last segment is the chain's last, the only one that may end torn. */
  private final boolean toEnd;
  /** Opens the records of sealed segments. */
  private final DataKeys keys;

  private Chain(long baseRevision, List<Path> segments, long firstSequence, boolean toEnd, DataKeys keys) {
    this.baseRevision = baseRevision;
    this.segments = segments;
    this.firstSequence = firstSequence;
    this.toEnd = toEnd;
    this.keys = keys;
  }

  /**
   * Every chain in {@code dir}, oldest base first; none when the dir does not exist. Reading a sealed segment takes
   * its data key from {@code keys}.
   */
  public static List<Chain> list(Path dir, DataKeys keys) throws IOException {
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
    return byBase.entrySet().stream().map(e -> new Chain(e.getKey(), List.copyOf(e.getValue()), 0, true, keys))
        .toList();
  }

  /** One segment file taken alone; it may end torn only if its dir holds no later segment of its chain. */
  public static Chain ofSegment(Path file, DataKeys keys) throws IOException {
    Matcher name = NAME.matcher(file.getFileName().toString());
    if (!name.matches()) {
      throw new IOException(file + " is not named as a journal segment (BASE-SEQUENCE.journal, both 16 hex digits)");
    }
    long base = Long.parseUnsignedLong(name.group(1), 16);
    long sequence = Long.parseUnsignedLong(name.group(2), 16);
    Path next = file.resolveSibling(segmentName(base, sequence + 1));
    return new Chain(base, List.of(file), sequence, !Files.exists(next), keys);
  }

  static String segmentName(long baseRevision, long sequence) {
    return String.format("%016x-%016x.journal", baseRevision, sequence);
  }

  public long baseRevision() {
    return baseRevision;
  }

  /**
   * The etcd cluster ID (hex, as etcd and {@code snapshots.json} show it) its first segment's header names; null when
   * that segment was cut within its header (the chain then holds nothing).
   */
  public String clusterIdHex() throws IOException {
    SegmentHeader header = Segment.headerOf(segments.get(0), isLast(0));
    return header == null ? null : Long.toHexString(header.clusterId());
  }

  DataKeys keys() {
    return keys;
  }

  List<Path> segments() {
    return segments;
  }

  long firstSequence() {
    return firstSequence;
  }

  boolean isLast(int index) {
    return toEnd && index == segments.size() - 1;
  }

  /**
   * The newest revision the chain holds (its base when none), read from its last segments only: what it reaches if
   * nothing before is damaged, which a full {@link #read} checks.
   */
  public long lastRevision() throws IOException {
    long[] last = {-1};
    for (int i = segments.size() - 1; i >= 0 && last[0] < 0; i--) {
      Segment.read(segments.get(i), isLast(i), keys, (record, offset) -> {
        if (record instanceof RevisionRecord r) {
          last[0] = r.revision();
        }
        return true;
      });
    }
    return last[0] < 0 ? baseRevision : last[0];
  }

  /**
   * Deletes the whole chain, its last segment first: a stop midway leaves a shorter chain that still reads as one,
   * never segments without their start.
   */
  public void delete() throws IOException {
    for (int i = segments.size() - 1; i >= 0; i--) {
      Files.deleteIfExists(segments.get(i));
    }
    PrivateFiles.syncDirectory(segments.get(0).getParent());
  }

  /** A visitor of a chain's records, in order. */
  public interface RecordVisitor {
    /** @return false to stop reading */
    boolean record(Record record) throws IOException;
  }

  /**
   * Reads the records in order, checked: the chain starts with its start record, its segments follow each other
   * by sequence and each names this chain, and every revision is the one after the revision before it (a gap is
   * never read past). Only the first may be further from the base: the base is the snapshot db's newest revision,
   * below etcd's own when the newest revisions left nothing in the db (a fresh cluster's revision 1, compacted
   * deletions), and the journal follows from the revision after the base. A torn tail of the last segment ends the
   * chain there (it is left as it is).
   */
  public void read(RecordVisitor visitor) throws IOException {
    check(visitor);
  }

  /** As {@link #read}; returns what the reading found beyond the records. */
  ChainCheck check(RecordVisitor visitor) throws IOException {
    ChainCheck check = new ChainCheck(visitor);
    for (int i = 0; i < segments.size(); i++) {
      check.file = segments.get(i);
      long sequence = Long.parseUnsignedLong(check.file.getFileName().toString().substring(17, 33), 16);
      check(sequence == firstSequence + i, check.file, 0, "segment " + Long.toHexString(firstSequence + i)
          + " of the chain is missing before it");
      check.last = Segment.read(check.file, isLast(i), keys, check);
      if (check.last.header() == null || check.last.stopped()) {
        break;
      }
    }
    return check;
  }

  /** What holds across the segments of the chain, checked as they are read. */
  final class ChainCheck implements Segment.Visitor {
    private final RecordVisitor visitor;
    private Path file;
    /** The last revision read; -1 while unknown (a segment taken alone, before its first revision). */
    private long revision = firstSequence == 0 ? baseRevision : -1;
    private boolean first = firstSequence == 0;
    /** The cluster the first segment's header names. */
    long clusterId;
    /** The last segment read. */
    Segment last;

    ChainCheck(RecordVisitor visitor) {
      this.visitor = visitor;
    }

    @Override
    public void header(SegmentHeader header) throws IOException {
      check(header.baseRevision() == baseRevision, file, 0, "its header names base revision "
          + header.baseRevision());
      if (last == null) {
        clusterId = header.clusterId();
      }
      check(header.clusterId() == clusterId, file, 0, "its header names cluster "
          + Long.toHexString(header.clusterId()) + ", the chain's first segment " + Long.toHexString(clusterId));
    }

    @Override
    public boolean record(Record record, long offset) throws IOException {
      if (first) {
        check(record instanceof ChainStart start && start.baseRevision() == baseRevision, file, offset,
            "the chain does not begin with its start record");
        first = false;
      }
      if (record instanceof RevisionRecord r) {
        boolean next = revision < 0 || r.revision() == revision + 1
            || r.revision() > revision && revision == baseRevision;
        if (!next) { // the message is built on failure only: this runs for every record of gigabytes of journal
          check(false, file, offset, "revision " + r.revision() + " follows " + revision
              + ": the revisions between are missing");
        }
        revision = r.revision();
      }
      return visitor.record(record);
    }
  }

  private static void check(boolean ok, Path file, long offset, String problem) throws IOException {
    if (!ok) {
      throw new IOException("journal segment " + file + " is inconsistent at offset " + offset + ": " + problem
          + "; restore to a revision before it, or move the chain aside and start a new one from a new snapshot");
    }
  }
}
