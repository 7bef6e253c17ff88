package io.etcdsnapshotter.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One segment file read whole. Only the last segment of a chain may end torn (a crash mid-write): a record cut short,
 * a last record whose checksum fails, or zeros where the file was extended but not written. Its good records are
 * kept and {@link #end()} says where they stop. Anything else damaged is an error naming the file and offset, never
 * skipped: records after it were acknowledged as durable.
 *
 * @param header null when the last segment was cut within its header: it holds nothing
 * @param end the length of the good bytes
 * @param torn whether bytes after {@code end} must be cut off
 */
record Segment(Path file, SegmentHeader header, List<Record> records, long end, boolean torn) {
  static Segment read(Path file, boolean last) throws IOException {
    ByteBuffer bytes = readAll(file);
    if (bytes.limit() < SegmentHeader.SIZE || last && zerosFrom(bytes, 0)) {
      if (!last) {
        throw corrupt(file, 0, "it is shorter than its header");
      }
      return new Segment(file, null, List.of(), 0, bytes.limit() > 0);
    }
    if (SegmentHeader.version(bytes) != SegmentHeader.VERSION) {
      throw new IOException("journal segment " + file + " has format version " + SegmentHeader.version(bytes)
          + ", which this release does not know; read it with the release that wrote it");
    }
    SegmentHeader header = SegmentHeader.decode(bytes);
    if (header == null) {
      throw corrupt(file, 0, "its header's checksum fails");
    }
    return records(file, header, bytes, last);
  }

  private static Segment records(Path file, SegmentHeader header, ByteBuffer bytes, boolean last)
      throws IOException {
    List<Record> records = new ArrayList<>();
    int at = SegmentHeader.SIZE;
    int size = bytes.limit();
    while (at < size) {
      String damage = null;
      int length = size - at < Frame.HEADER ? -2 : Frame.length(bytes, at);
      Frame frame = null;
      if (length == -2) {
        damage = "a record header cut short";
      } else if (length == -1) {
        damage = zerosFrom(bytes, at) ? "zeros to the end" : null;
        if (damage == null) {
          throw corrupt(file, at, "a record header's checksum fails");
        }
      } else if ((long) at + Frame.HEADER + length > size) {
        damage = "a record cut short";
      } else if ((frame = Frame.body(bytes, at, length)) == null) {
        if (at + Frame.HEADER + length < size) {
          throw corrupt(file, at, "a record's checksum fails");
        }
        damage = "the last record's checksum fails";
      }
      if (damage != null) {
        if (!last) {
          throw corrupt(file, at, damage + " in a segment that is not the chain's last");
        }
        return new Segment(file, header, records, at, true);
      }
      try {
        records.add(Record.decode(frame));
      } catch (IOException e) {
        throw corrupt(file, at, e.getMessage());
      }
      at += frame.size();
    }
    return new Segment(file, header, records, at, false);
  }

  static IOException corrupt(Path file, long offset, String problem) {
    return new IOException("journal segment " + file + " is corrupt at offset " + offset + ": " + problem
        + "; restore to a revision before it, or move the segment aside and start a new chain from a new snapshot");
  }

  private static boolean zerosFrom(ByteBuffer bytes, int at) {
    for (int i = at; i < bytes.limit(); i++) {
      if (bytes.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private static ByteBuffer readAll(Path file) throws IOException {
    try (FileChannel in = FileChannel.open(file)) {
      long size = in.size();
      if (size > Integer.MAX_VALUE) {
        throw new IOException("journal segment " + file + " is " + size + " bytes, larger than a segment can be");
      }
      ByteBuffer bytes = ByteBuffer.allocate((int) size);
      while (bytes.hasRemaining() && in.read(bytes) >= 0) {
        // a file channel may return fewer bytes than asked
      }
      return bytes.flip();
    }
  }
}
