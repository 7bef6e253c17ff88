package io.etcdsnapshotter.journal;

import io.etcdsnapshotter.encryption.DataKeys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One segment file, read front to back, its records handed to a visitor one at a time (through a window, never
 * whole: a restore holds one record at a time however long the journal). Only the last segment of a chain
 * may end torn (a crash mid-write): a record cut short, a last record whose checksum fails, or zeros where the file
 * was extended but not written. Its good records are visited and {@link #end()} says where they stop. Anything else
 * damaged is an error naming the file and offset, never skipped: records after it were acknowledged as durable.
 * A sealed segment's records are authenticated and decrypted on the way: one that fails is damage too, whatever its
 * checksums say.
 *
 * @param header null when the last segment was cut within its header: it holds nothing
 * @param end the length of the good bytes (where the visitor stopped, if it did)
 * @param torn whether bytes after {@code end} must be cut off
 * @param stopped whether the visitor stopped the reading before the end
 */
record Segment(Path file, SegmentHeader header, long end, boolean torn, boolean stopped) {
  private static final int ZEROS_CHUNK = 64 << 10;

  /** A visitor of a segment's records, each with the offset of its frame. */
  interface Visitor {
    /** Told of the header before any record. */
    default void header(SegmentHeader header) throws IOException {}

    /** @return false to stop reading */
    boolean record(Record record, long offset) throws IOException;
  }

  /** The segment's header and extent, every record checked but none kept. */
  static Segment read(Path file, boolean last, DataKeys keys) throws IOException {
    return read(file, last, keys, (record, offset) -> true);
  }

  /** Reads the segment, a sealed one's records opened with the data key {@code keys} gives. */
  static Segment read(Path file, boolean last, DataKeys keys, Visitor visitor) throws IOException {
    try (SegmentInput bytes = new SegmentInput(file)) {
      if (bytes.size() > Integer.MAX_VALUE) {
        throw new IOException("journal segment " + file + " is " + bytes.size() + " bytes, larger than a segment"
            + " can be");
      }
      SegmentHeader header = header(file, bytes, last);
      if (header == null) {
        return new Segment(file, null, 0, bytes.size() > 0, false);
      }
      visitor.header(header);
      SealedFrames sealed = header.sealed() == null ? null : SealedFrames.open(header, keys, file);
      return records(file, header, sealed, bytes, last, visitor);
    }
  }

  /** Only the header of the segment (no record is read or opened); null as {@link #header(Path, SegmentInput, boolean)}. */
  static SegmentHeader headerOf(Path file, boolean last) throws IOException {
    try (SegmentInput bytes = new SegmentInput(file)) {
      return header(file, bytes, last);
    }
  }

  /** The header; null when the chain's last segment was cut within it (it holds nothing then). */
  private static SegmentHeader header(Path file, SegmentInput bytes, boolean last) throws IOException {
    if (bytes.size() < SegmentHeader.PREFIX || last && zerosFrom(bytes, 0)) {
      if (!last) {
        throw corrupt(file, 0, "it is shorter than its header");
      }
      return null;
    }
    ByteBuffer head = bytes.bytes(0, SegmentHeader.PREFIX);
    if (!SegmentHeader.known(SegmentHeader.version(head))) {
      throw new IOException("journal segment " + file + " has format version " + SegmentHeader.version(head)
          + ", which this release does not know; read it with the release that wrote it");
    }
    int length = SegmentHeader.length(head);
    if (length < 0) {
      throw corrupt(file, 0, "its header gives an impossible length for its encryption header");
    }
    if (bytes.size() < length) {
      if (!last) {
        throw corrupt(file, 0, "it is shorter than its header");
      }
      return null;
    }
    SegmentHeader header = SegmentHeader.decode(bytes.bytes(0, length), length);
    if (header == null) {
      throw corrupt(file, 0, "its header's checksum fails");
    }
    return header;
  }

  private static Segment records(Path file, SegmentHeader header, SealedFrames sealed, SegmentInput bytes,
      boolean last, Visitor visitor) throws IOException {
    int at = header.size();
    int size = (int) bytes.size();
    while (at < size) {
      String damage = null;
      int length = size - at < Frame.HEADER ? -2 : Frame.length(bytes.bytes(at, Frame.HEADER), 0);
      ByteBuffer body = null;
      if (length == -2) {
        damage = "a record header cut short";
      } else if (length == -1) {
        damage = zerosFrom(bytes, at) ? "zeros to the end" : null;
        if (damage == null) {
          throw corrupt(file, at, "a record header's checksum fails");
        }
      } else if ((long) at + Frame.HEADER + length > size) {
        damage = "a record cut short";
      } else if ((body = Frame.body(bytes.bytes(at, Frame.HEADER + length), 0, length)) == null) {
        if (at + Frame.HEADER + length < size) {
          throw corrupt(file, at, "a record's checksum fails");
        }
        damage = "the last record's checksum fails";
      }
      if (damage != null) {
        if (!last) {
          throw corrupt(file, at, damage + " in a segment that is not the chain's last");
        }
        return new Segment(file, header, at, true, false);
      }
      if (!visit(file, at, body, sealed, visitor)) {
        return new Segment(file, header, at, false, true);
      }
      at += Frame.HEADER + length;
    }
    return new Segment(file, header, at, false, false);
  }

  /**
   * Hands the record of {@code body} (its framed type and payload, opened first in a sealed segment) to the visitor;
   * false when the visitor stops.
   */
  private static boolean visit(Path file, long at, ByteBuffer body, SealedFrames sealed, Visitor visitor)
      throws IOException {
    Record record;
    try {
      ByteBuffer plain = sealed == null ? body : sealed.open(body);
      record = Record.decode(plain.get(0), plain.slice(1, plain.limit() - 1));
    } catch (IOException e) {
      throw corrupt(file, at, e.getMessage());
    }
    try {
      return visitor.record(record, at);
    } finally {
      if (record instanceof RevisionRecord revision) {
        revision.expire(); // its payload may be a view of the window, which moves on
      }
    }
  }

  static IOException corrupt(Path file, long offset, String problem) {
    return new IOException("journal segment " + file + " is corrupt at offset " + offset + ": " + problem
        + "; restore to a revision before it, or move the segment aside and start a new chain from a new snapshot");
  }

  private static boolean zerosFrom(SegmentInput bytes, long at) throws IOException {
    for (long from = at; from < bytes.size(); from += ZEROS_CHUNK) {
      ByteBuffer chunk = bytes.bytes(from, (int) Math.min(ZEROS_CHUNK, bytes.size() - from));
      while (chunk.hasRemaining()) {
        if (chunk.get() != 0) {
          return false;
        }
      }
    }
    return true;
  }
}
