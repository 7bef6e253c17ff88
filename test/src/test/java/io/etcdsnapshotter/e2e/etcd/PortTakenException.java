package io.etcdsnapshotter.e2e.etcd;

import io.etcdsnapshotter.testing.FreePorts;

/**
 * A server could not bind a port {@link FreePorts} handed out, because another process took it first; the fixture
 * that started it tries again with fresh ports.
 */
public final class PortTakenException extends RuntimeException {
  public PortTakenException(String message) {
    super(message);
  }
}
