package io.etcdsnapshotter.journal;

import io.etcdsnapshotter.encryption.SealedRecords;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The first bytes of every segment: [magic "ETCDJRNL"][version u32][cluster ID u64][base revision u64], then in a
 * sealed segment (version 2) [encryption header length u32][encryption header], then [CRC32C u32 of the bytes
 * before it]. Each segment names its chain, so one found alone still says what it continues; a sealed one also names
 * the KMS key its records are sealed under.
 *
 * @param sealed the encryption header of a sealed segment's records; null for a plain segment
 */
record SegmentHeader(long clusterId, long baseRevision, byte[] sealed) {
  /** What a segment holds before {@link #length} can tell its header's length. */
  static final int PREFIX = 32;
  static final int PLAIN = 1;
  static final int SEALED = 2;
  private static final int FIELDS = 28;
  private static final byte[] MAGIC = "ETCDJRNL".getBytes(StandardCharsets.US_ASCII);

  SegmentHeader(long clusterId, long baseRevision) {
    this(clusterId, baseRevision, null);
  }

  int size() {
    return sealed == null ? PREFIX : FIELDS + 4 + sealed.length + 4;
  }

  ByteBuffer encode() {
    ByteBuffer out = ByteBuffer.allocate(size()).put(context());
    if (sealed != null) {
      out.putInt(sealed.length).put(sealed);
    }
    return out.putInt(crc(out.array(), out.position())).flip();
  }

  /** The fields every sealed record authenticates: the chain and the cluster it belongs to. */
  byte[] context() {
    return ByteBuffer.allocate(FIELDS).put(MAGIC).putInt(sealed == null ? PLAIN : SEALED).putLong(clusterId)
        .putLong(baseRevision).array();
  }

  /**
   * The length of the header whose first {@link #PREFIX} bytes start {@code segment}, for a {@link #version} this
   * release reads; -1 when a sealed header's length is out of bounds (damage).
   */
  static int length(ByteBuffer segment) {
    if (version(segment) == PLAIN) {
      return PREFIX;
    }
    int sealed = segment.getInt(FIELDS);
    return sealed > 0 && sealed <= SealedRecords.MAX_HEADER ? FIELDS + 4 + sealed + 4 : -1;
  }

  /** The header that starts {@code segment}, which holds at least its {@link #length}; null if damaged. */
  static SegmentHeader decode(ByteBuffer segment, int length) {
    byte[] head = new byte[length];
    segment.get(0, head);
    ByteBuffer in = ByteBuffer.wrap(head);
    if (!Arrays.equals(Arrays.copyOf(head, MAGIC.length), MAGIC) || in.getInt(length - 4) != crc(head, length - 4)) {
      return null;
    }
    byte[] sealed = version(in) == PLAIN ? null : Arrays.copyOfRange(head, FIELDS + 4, length - 4);
    return new SegmentHeader(in.getLong(12), in.getLong(20), sealed);
  }

  /** Versions 1 (plain) and 2 (sealed) exist; a later one is refused by name rather than misread. */
  static int version(ByteBuffer segment) {
    return segment.getInt(MAGIC.length);
  }

  static boolean known(int version) {
    return version == PLAIN || version == SEALED;
  }

  private static int crc(byte[] head, int length) {
    CRC32C crc = new CRC32C();
    crc.update(head, 0, length);
    return (int) crc.getValue();
  }
}
