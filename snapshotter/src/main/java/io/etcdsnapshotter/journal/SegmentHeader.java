package io.etcdsnapshotter.journal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The first bytes of every segment: [magic "ETCDJRNL"][version u32][cluster ID u64][base revision u64][CRC32C u32 of
 * the bytes before it]. Each segment names its chain, so one found alone still says what it continues.
 */
record SegmentHeader(long clusterId, long baseRevision) {
  static final int SIZE = 32;
  static final int VERSION = 1;
  private static final byte[] MAGIC = "ETCDJRNL".getBytes(StandardCharsets.US_ASCII);

  ByteBuffer encode() {
    ByteBuffer out = ByteBuffer.allocate(SIZE).put(MAGIC).putInt(VERSION).putLong(clusterId).putLong(baseRevision);
    return out.putInt(crc(out.array())).flip();
  }

  /** The header at the start of {@code segment}, which holds at least {@link #SIZE} bytes; null if damaged. */
  static SegmentHeader decode(ByteBuffer segment) {
    byte[] head = new byte[SIZE];
    segment.get(0, head);
    ByteBuffer in = ByteBuffer.wrap(head);
    if (!Arrays.equals(Arrays.copyOf(head, MAGIC.length), MAGIC) || in.getInt(SIZE - 4) != crc(head)) {
      return null;
    }
    return new SegmentHeader(in.getLong(12), in.getLong(20));
  }

  /** Only version 1 exists; a later one is refused by name rather than misread. */
  static int version(ByteBuffer segment) {
    return segment.getInt(MAGIC.length);
  }

  private static int crc(byte[] head) {
    CRC32C crc = new CRC32C();
    crc.update(head, 0, SIZE - 4);
    return (int) crc.getValue();
  }
}
