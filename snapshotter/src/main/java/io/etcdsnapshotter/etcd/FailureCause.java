package io.etcdsnapshotter.etcd;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Turns the nested exceptions of gRPC and TLS into the one cause an operator can act on. */
public final class FailureCause {
  private FailureCause() {}

  public static String describe(Throwable failure) {
    Throwable root = failure;
    String etcdMessage = null;
    while (root.getCause() != null && root.getCause() != root) {
      if (root.getMessage() != null && root.getMessage().contains("etcdserver:")) {
        etcdMessage = root.getMessage();
      }
      root = root.getCause();
    }
    String text = etcdMessage != null ? etcdMessage : messageOf(root);
    return hint(text) + text.replace('\n', ' ');
  }

  private static String messageOf(Throwable t) {
    if (t instanceof TimeoutException) {
      return "timed out";
    }
    if (t.getMessage() == null || t instanceof CompletionException || t instanceof ExecutionException) {
      return t.getClass().getSimpleName();
    }
    return t.getMessage();
  }

  private static String hint(String text) {
    String lower = text.toLowerCase();
    if (lower.contains("authentication failed") || lower.contains("invalid auth token")
        || lower.contains("user name is empty") || lower.contains("permission denied")) {
      return "authentication failed (check --user and --password-file): ";
    }
    if (lower.contains("pkix") || lower.contains("certificate") || lower.contains("handshake")
        || lower.contains("ssl") || lower.contains("tls")) {
      return "TLS failed (check --cacert, --cert and --key): ";
    }
    return "";
  }
}
