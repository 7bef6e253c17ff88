package io.etcdsnapshotter;

/** Exceptions as the one line an operator reads: every failure the jar reports goes through here. */
public final class OneLine {
  private OneLine() {}

  /** The exception's own message (its type when it has none), with line breaks folded into spaces. */
  public static String message(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      message = e.getClass().getSimpleName();
    }
    return message.replace('\n', ' ');
  }

  /** The message of the innermost cause: for client libraries that wrap the real reason several layers deep. */
  public static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return message(root);
  }
}
