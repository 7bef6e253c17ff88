package io.etcdsnapshotter.bolt;

import java.io.IOException;

/** The file is not a well-formed bbolt database; the message is one line naming the file, page or offset and the problem. */
public class BoltFormatException extends IOException {
  public BoltFormatException(String message) {
    super(message);
  }
}
