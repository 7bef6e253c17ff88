package io.etcdsnapshotter.e2e.etcd;

/**
 * A server could not bind a port {@link io.etcdsnapshotter.testing.FreePorts} handed out, because another process took it first; the fixture
 * that started it tries again with fresh ports.
 */
public final class PortTakenException extends RuntimeException {
  public PortTakenException(String message) {
    super(message);
  }
}
