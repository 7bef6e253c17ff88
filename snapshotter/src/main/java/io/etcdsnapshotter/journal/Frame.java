package io.etcdsnapshotter.journal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * How one record sits in a segment, apart from what it means: [length u32][CRC32C u32 of type and payload][header
 * CRC32C u32 of the 8 bytes before it][type u8][payload]. The header has a checksum of its own so that a damaged
 * length is never trusted: a length that points past the end could otherwise pass a damaged record in the middle off
 * as a torn tail and truncate good records after it.
 */
record Frame(byte type, byte[] payload) {
  static final int HEADER = 13;
  /** No record comes near this; a larger length is damage, never a record. */
  static final int MAX_PAYLOAD = 64 << 20;

  ByteBuffer encode() {
    ByteBuffer out = ByteBuffer.allocate(size());
    writeTo(out);
    return out.flip();
  }

  /** Puts the encoded frame at {@code out}'s position, which must have {@link #size} bytes left. */
  void writeTo(ByteBuffer out) {
    int at = out.position();
    out.putInt(payload.length).putInt(bodyCrc(type, ByteBuffer.wrap(payload)));
    out.putInt(crc(out.slice(at, 8))).put(type).put(payload);
  }

  int size() {
    return HEADER + payload.length;
  }

  /** The length a header at {@code at} gives, or -1 when its checksum or bounds say it is no header. */
  static int length(ByteBuffer segment, int at) {
    int length = segment.getInt(at);
    byte[] head = new byte[8];
    segment.get(at, head);
    boolean valid = segment.getInt(at + 8) == crc(head, 0, 8) && length >= 0 && length <= MAX_PAYLOAD;
    return valid ? length : -1;
  }

  /**
   * The type and payload of the record at {@code at}, whose header is valid and whose bytes are all there, as a view
   * of {@code segment} (not copied); null if its body is damaged.
   */
  static ByteBuffer body(ByteBuffer segment, int at, int length) {
    ByteBuffer body = segment.slice(at + HEADER - 1, length + 1);
    return segment.getInt(at + 4) == crc(body.duplicate()) ? body : null;
  }

  private static int bodyCrc(byte type, ByteBuffer payload) {
    CRC32C crc = new CRC32C();
    crc.update(type);
    crc.update(payload);
    return (int) crc.getValue();
  }

  private static int crc(ByteBuffer bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }

  private static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }
}
