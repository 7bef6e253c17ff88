package io.etcdsnapshotter.bolt;

import java.io.IOException;

/** Receives the key/value pairs of a bucket in key order. A nested bucket shows up as its name with an empty value. */
@FunctionalInterface
public interface KeyValueVisitor {
  void accept(byte[] key, byte[] value) throws IOException;
}
