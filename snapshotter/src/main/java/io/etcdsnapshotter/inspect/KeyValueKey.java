package io.etcdsnapshotter.inspect;

import java.nio.ByteBuffer;

/**
 * Field 1 ({@code key}) of an {@code mvccpb.KeyValue}, the value of each entry of etcd's {@code key} bucket, read
 * with the rules of etcd 3.6's generated gogo decoder ({@code KeyValue.Unmarshal}): a value it refuses is refused
 * here with its reason, so our {@code status} fails where etcdutl 3.6 fails ("cannot unmarshal value"). The other
 * fields are checked and skipped, unknown ones skipped as gogo's {@code skipKv} does; an absent key is the empty key.
 * (etcd 3.7 decodes with google.golang.org/protobuf, which takes a known field with the wrong wire type as an
 * unknown field; the two differ only on values no etcd wrote.) One instance is reused for every entry of a scan, so
 * reading a key allocates only the slice it returns.
 */
final class KeyValueKey {
  private static final int KEY = 1;
  private static final int VALUE = 5;
  private static final int VARINT = 0;
  private static final int FIXED64 = 1;
  private static final int LENGTH_DELIMITED = 2;
  private static final int START_GROUP = 3;
  private static final int END_GROUP = 4;
  private static final int FIXED32 = 5;

  private ByteBuffer buffer;
  private long pos;
  private long end;

  /** The key bytes, a view into {@code value} (whose position and limit are left as they were). */
  ByteBuffer of(ByteBuffer value) {
    buffer = value;
    pos = value.position();
    end = value.limit();
    long keyStart = pos;
    long keyLength = 0;
    while (pos < end) {
      long tagStart = pos;
      long tag = varint();
      int field = (int) (tag >>> 3);
      int wireType = (int) (tag & 7);
      if (wireType == END_GROUP) {
        throw new IllegalArgumentException("proto: KeyValue: wiretype end group for non-group");
      }
      if (field <= 0) {
        throw new IllegalArgumentException("proto: KeyValue: illegal tag " + field + " (wire type " + tag + ")");
      }
      switch (field) {
        case KEY, VALUE -> {
          requireWireType(wireType, LENGTH_DELIMITED, field);
          long length = length();
          if (field == KEY) {
            keyStart = pos;
            keyLength = length;
          }
          pos += length;
        }
        case 2, 3, 4, 6 -> {
          requireWireType(wireType, VARINT, field);
          varint();
        }
        default -> {
          pos = tagStart;
          skipField();
        }
      }
    }
    return value.slice((int) keyStart, (int) keyLength);
  }

  private static void requireWireType(int wireType, int expected, int field) {
    if (wireType != expected) {
      String name = switch (field) {
        case KEY -> "Key";
        case 2 -> "CreateRevision";
        case 3 -> "ModRevision";
        case 4 -> "Version";
        case VALUE -> "Value";
        default -> "Lease";
      };
      throw new IllegalArgumentException("proto: wrong wireType = " + wireType + " for field " + name);
    }
  }

  /** gogo's varint loop: at most ten bytes, bits past 64 dropped. */
  private long varint() {
    long result = 0;
    for (int shift = 0; ; shift += 7) {
      if (shift >= 64) {
        throw new IllegalArgumentException("proto: integer overflow");
      }
      if (pos >= end) {
        throw eof();
      }
      byte b = buffer.get((int) pos++);
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return result;
      }
    }
  }

  /** A length prefix that must fit in what is left. */
  private long length() {
    long length = varint();
    if (length < 0) {
      throw new IllegalArgumentException("proto: negative length found during unmarshaling");
    }
    if (length > end - pos) {
      throw eof();
    }
    return length;
  }

  /** gogo's skipKv: one field, a group with everything up to its matching end. */
  private void skipField() {
    int depth = 0;
    while (pos < end) {
      int wireType = (int) (varint() & 7);
      switch (wireType) {
        case VARINT -> varint();
        case FIXED64 -> pos += 8;
        case LENGTH_DELIMITED -> {
          long length = varint();
          if (length < 0) {
            throw new IllegalArgumentException("proto: negative length found during unmarshaling");
          }
          pos += Math.min(length, end - pos + 1); // past the end is all that matters, without overflow
        }
        case START_GROUP -> depth++;
        case END_GROUP -> {
          if (depth == 0) {
            throw new IllegalArgumentException("proto: unexpected end of group");
          }
          depth--;
        }
        case FIXED32 -> pos += 4;
        default -> throw new IllegalArgumentException("proto: illegal wireType " + wireType);
      }
      if (depth == 0) {
        if (pos > end) {
          throw eof();
        }
        return;
      }
    }
    throw eof();
  }

  private static IllegalArgumentException eof() {
    return new IllegalArgumentException("unexpected EOF");
  }
}
