package io.etcdsnapshotter.bolt;

import java.nio.ByteBuffer;

/** Byte-wise (unsigned) key comparison, as bbolt orders keys, and printing of keys in one-line messages. */
final class Keys {
  private static final int SHOWN = 48;

  private Keys() {}

  /** A key inside a page buffer. */
  record Key(ByteBuffer buf, int offset, int length) {}

  static int compare(ByteBuffer a, int aOff, int aLen, ByteBuffer b, int bOff, int bLen) {
    int n = Math.min(aLen, bLen);
    for (int i = 0; i < n; i++) {
      int d = (a.get(aOff + i) & 0xff) - (b.get(bOff + i) & 0xff);
      if (d != 0) {
        return d;
      }
    }
    return aLen - bLen;
  }

  static int compare(ByteBuffer a, int aOff, int aLen, Key b) {
    return compare(a, aOff, aLen, b.buf(), b.offset(), b.length());
  }

  /** Printable ASCII as is, anything else as \xNN; long keys are cut, since they only name a place in a message. */
  /** A copy of the bytes from the slice's position to its limit (the slice is consumed). */
  static byte[] bytes(ByteBuffer slice) {
    byte[] bytes = new byte[slice.remaining()];
    slice.get(bytes);
    return bytes;
  }

  static String show(ByteBuffer buf, int offset, int length) {
    StringBuilder s = new StringBuilder("'");
    for (int i = 0; i < Math.min(length, SHOWN); i++) {
      int c = buf.get(offset + i) & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
        s.append((char) c);
      } else {
        s.append(String.format("\\x%02x", c));
      }
    }
    return s.append(length > SHOWN ? "'..." : "'").toString();
  }
}
