package io.etcdsnapshotter.aws;

/** An AWS call that failed, or an answer that cannot serve; the message is one line for the operator. */
public final class AwsException extends RuntimeException {
  public AwsException(String message) {
    super(message);
  }

  public AwsException(String message, Throwable cause) {
    super(message, cause);
  }
}
