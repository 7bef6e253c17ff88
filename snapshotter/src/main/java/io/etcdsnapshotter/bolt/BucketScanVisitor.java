package io.etcdsnapshotter.bolt;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Receives a whole database in bbolt order: each top-level bucket by name, then its pairs in key order. The buffers
 * are read-only views into the reader's page buffers, valid only during the call (copy what you keep); this lets a
 * full scan of a large file run without allocating per key. A nested bucket shows up as its name with an empty value.
 */
public interface BucketScanVisitor {
  void bucket(ByteBuffer name) throws IOException;

  void keyValue(ByteBuffer key, ByteBuffer value) throws IOException;
}
