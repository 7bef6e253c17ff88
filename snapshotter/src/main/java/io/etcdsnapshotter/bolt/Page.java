package io.etcdsnapshotter.bolt;

import java.nio.ByteBuffer;

/**
 * A page image (overflow pages included) or an inline bucket's leaf image, with every element bounds-checked when it
 * is made, so that the accessors never read outside the image whatever the file holds. The layout of page headers
 * and elements is defined here once, for the reader and for the writers: a header {@code u64 id, u16 flags,
 * u16 count, u32 overflow}; a leaf element {@code u32 flags, u32 pos, u32 ksize, u32 vsize}; a branch element
 * {@code u32 pos, u32 ksize, u64 pgid}; pos counts from the element itself.
 */
final class Page {
  static final int HEADER = 16;
  static final int ELEMENT = 16;
  static final int BRANCH = 0x01;
  static final int LEAF = 0x02;
  static final int META = 0x04;
  static final int FREELIST = 0x10;
  /** The leaf element flag of a key that names a nested bucket (and of every top-level key). */
  static final int BUCKET_FLAG = 0x01;
  private static final int FLAGS_AT = 8;
  private static final int COUNT_AT = 10;
  private static final int OVERFLOW_AT = 12;

  final ByteBuffer buf;
  private final int base;
  final int length;
  final int flags;
  final int count;
  final long overflow;
  private final Corruption where;

  /** Makes the one-line error for a problem found in this page. */
  interface Corruption {
    BoltFormatException at(String problem);
  }

  /** {@code buf} is little-endian; the page starts at {@code base} and spans {@code length} bytes. */
  Page(ByteBuffer buf, int base, int length, Corruption where) throws BoltFormatException {
    this.buf = buf;
    this.base = base;
    this.length = length;
    this.where = where;
    if (length < HEADER) {
      throw where.at("page image of " + length + " bytes is shorter than a page header");
    }
    flags = Short.toUnsignedInt(buf.getShort(base + FLAGS_AT));
    count = Short.toUnsignedInt(buf.getShort(base + COUNT_AT));
    overflow = Integer.toUnsignedLong(buf.getInt(base + OVERFLOW_AT));
  }

  /** Writes a page header at the start of {@code page} (little-endian); {@code pages} counts the overflow too. */
  static ByteBuffer putHeader(ByteBuffer page, long id, int flags, int count, int pages) {
    if (count > 0xFFFF) {
      throw new IllegalArgumentException(count + " elements do not fit a page's 16-bit count");
    }
    return page.putLong(0, id).putShort(FLAGS_AT, (short) flags).putShort(COUNT_AT, (short) count)
        .putInt(OVERFLOW_AT, pages - 1);
  }

  /** Writes leaf element {@code i} of {@code page}, whose key starts at {@code keyAt} bytes into the page. */
  static void putLeafElement(ByteBuffer page, int i, int flags, int keyAt, int keySize, int valueSize) {
    int element = HEADER + ELEMENT * i;
    page.putInt(element, flags).putInt(element + 4, keyAt - element).putInt(element + 8, keySize)
        .putInt(element + 12, valueSize);
  }

  /** Writes branch element {@code i} of {@code page}, whose key starts at {@code keyAt} bytes into the page. */
  static void putBranchElement(ByteBuffer page, int i, int keyAt, int keySize, long child) {
    int element = HEADER + ELEMENT * i;
    page.putInt(element, keyAt - element).putInt(element + 4, keySize).putLong(element + 8, child);
  }

  int base() {
    return base;
  }

  long id() {
    return buf.getLong(base);
  }

  boolean isLeaf() {
    return flags == LEAF;
  }

  boolean isBranch() {
    return flags == BRANCH;
  }

  BoltFormatException corrupt(String problem) {
    return where.at(problem);
  }

  /** Checks that every element's key (and value) lies inside the image and that keys are non-empty. */
  void checkElements() throws BoltFormatException {
    long elementsEnd = HEADER + (long) count * ELEMENT;
    if (elementsEnd > length) {
      throw where.at(count + " elements do not fit in a " + length + "-byte page");
    }
    for (int i = 0; i < count; i++) {
      int e = base + HEADER + i * ELEMENT;
      long pos = Integer.toUnsignedLong(buf.getInt(e + (isLeaf() ? 4 : 0)));
      long keySize = Integer.toUnsignedLong(buf.getInt(e + (isLeaf() ? 8 : 4)));
      long valueSize = isLeaf() ? Integer.toUnsignedLong(buf.getInt(e + 12)) : 0;
      long start = HEADER + (long) i * ELEMENT + pos;
      if (keySize == 0) {
        throw where.at("element " + i + " has an empty key");
      }
      if (start + keySize + valueSize > length) {
        throw where.at("element " + i + " (key " + keySize + " bytes, value " + valueSize + " bytes at +" + pos
            + ") runs past the end of the " + length + "-byte page");
      }
    }
  }

  /** Keys strictly increasing, the first at least {@code lower}, the last below {@code upper} (null: unbounded). */
  void checkOrder(Keys.Key lower, Keys.Key upper) throws BoltFormatException {
    for (int i = 0; i < count; i++) {
      int off = keyOffset(i);
      int len = keyLength(i);
      if (i > 0 && Keys.compare(buf, keyOffset(i - 1), keyLength(i - 1), buf, off, len) >= 0) {
        throw where.at("key " + show(i) + " (element " + i + ") is not greater than the key before it");
      }
      if (i == 0 && lower != null && Keys.compare(buf, off, len, lower) < 0) {
        throw where.at("first key " + show(i) + " is below its parent's separator "
            + Keys.show(lower.buf(), lower.offset(), lower.length()));
      }
      if (i == count - 1 && upper != null && Keys.compare(buf, off, len, upper) >= 0) {
        throw where.at("last key " + show(i) + " is not below the next separator in its parent "
            + Keys.show(upper.buf(), upper.offset(), upper.length()));
      }
    }
  }

  private int elementAt(int i) {
    return base + HEADER + i * ELEMENT;
  }

  int keyOffset(int i) {
    int e = elementAt(i);
    return e + buf.getInt(e + (isLeaf() ? 4 : 0));
  }

  int keyLength(int i) {
    return buf.getInt(elementAt(i) + (isLeaf() ? 8 : 4));
  }

  int valueOffset(int i) {
    return keyOffset(i) + keyLength(i);
  }

  int valueLength(int i) {
    return buf.getInt(elementAt(i) + 12);
  }

  boolean isBucket(int i) {
    return (buf.getInt(elementAt(i)) & BUCKET_FLAG) != 0;
  }

  long child(int i) {
    return buf.getLong(elementAt(i) + 8);
  }

  Keys.Key key(int i) {
    return new Keys.Key(buf, keyOffset(i), keyLength(i));
  }

  ByteBuffer keySlice(int i) {
    return buf.slice(keyOffset(i), keyLength(i)).asReadOnlyBuffer();
  }

  ByteBuffer valueSlice(int i) {
    return buf.slice(valueOffset(i), valueLength(i)).asReadOnlyBuffer();
  }

  String show(int i) {
    return Keys.show(buf, keyOffset(i), keyLength(i));
  }

  /** The leaf image an inline bucket keeps in the value of element {@code i} after its 16-byte bucket header. */
  Page inlineBucket(int i) throws BoltFormatException {
    String name = "inline bucket " + show(i);
    Page inline = new Page(buf, valueOffset(i) + BucketHeader.SIZE, valueLength(i) - BucketHeader.SIZE,
        problem -> where.at(name + ": " + problem));
    if (!inline.isLeaf()) {
      throw inline.corrupt(String.format("flags 0x%x, expected a leaf", inline.flags));
    }
    inline.checkElements();
    inline.checkOrder(null, null);
    return inline;
  }
}
