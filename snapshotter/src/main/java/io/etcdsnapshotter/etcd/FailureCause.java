package io.etcdsnapshotter.etcd;

import io.etcdsnapshotter.OneLine;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/** Turns the nested exceptions of gRPC and TLS into the one cause an operator can act on. */
public final class FailureCause {
  private FailureCause() {}

  public static String describe(Throwable failure) {
    Throwable root = failure;
    String etcdMessage = null;
    boolean tls = false;
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains("etcdserver:")) {
        etcdMessage = t.getMessage();
      }
      tls |= t instanceof SSLException || t instanceof GeneralSecurityException;
      root = t;
    }
    String text = (etcdMessage != null ? etcdMessage : messageOf(root)).replace('\n', ' ');
    if (tls) {
      return "TLS failed (check --cacert, --cert and --key): " + text;
    }
    if (isAuthentication(text)) {
      return "authentication failed (check --user and --password-file): " + text;
    }
    return text;
  }

  /**
   * As {@link #describe}, for a failure to reach {@code endpoint}. A client whose scheme does not match the server's
   * sees only a closed or reset connection, so those failures are probed for a mismatch, named with its fix.
   */
  public static String describeAt(URI endpoint, Throwable failure, Duration timeout) {
    boolean https = "https".equalsIgnoreCase(endpoint.getScheme());
    // A plain etcd closes the connection on a ClientHello, or resets it, depending on timing: probe after either.
    if (https && (causedBy(failure, ClosedChannelException.class) || unavailable(failure))
        && TransportProbe.speaksPlainHttp2(endpoint, timeout)) {
      return "answered without TLS: use http://" + endpoint.getAuthority() + " or enable TLS on etcd";
    }
    if (!https && unavailable(failure) && TransportProbe.speaksTls(endpoint, timeout)) {
      return "answered with TLS: use https://" + endpoint.getAuthority() + " (with --cacert, and --cert and --key if"
          + " etcd asks for client certificates)";
    }
    return describe(failure);
  }

  private static boolean unavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.UNAVAILABLE) {
        return true;
      }
    }
    return false;
  }

  private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String messageOf(Throwable t) {
    if (t instanceof TimeoutException) {
      return "timed out";
    }
    // Wrappers repeat their cause's text; their type says more.
    if (t instanceof CompletionException || t instanceof ExecutionException) {
      return t.getClass().getSimpleName();
    }
    return OneLine.message(t);
  }

  private static boolean isAuthentication(String text) {
    String lower = text.toLowerCase();
    return lower.contains("authentication failed") || lower.contains("invalid auth token")
        || lower.contains("user name is empty") || lower.contains("permission denied");
  }
}
