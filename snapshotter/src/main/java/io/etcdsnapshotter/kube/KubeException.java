package io.etcdsnapshotter.kube;

/** A Kubernetes call that failed or an object that cannot serve; the message is one line for the operator. */
public final class KubeException extends RuntimeException {
  public KubeException(String message) {
    super(message);
  }

  public KubeException(String message, Throwable cause) {
    super(message, cause);
  }
}
