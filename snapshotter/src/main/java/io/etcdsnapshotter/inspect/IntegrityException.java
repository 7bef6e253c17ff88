package io.etcdsnapshotter.inspect;

import java.io.IOException;

/** The file's bytes differ from what etcd sent: the SHA-256 trailer or a meta page checksum does not match. */
public final class IntegrityException extends IOException {
  public IntegrityException(String message) {
    super(message);
  }
}
