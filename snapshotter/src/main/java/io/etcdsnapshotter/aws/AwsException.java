package io.etcdsnapshotter.aws;

import io.etcdsnapshotter.OneLine;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/** An AWS call that failed, or an answer that cannot serve; the message is one line for the operator. */
public final class AwsException extends RuntimeException {
  public AwsException(String message) {
    super(message);
  }

  public AwsException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A request to {@code where} (e.g. "S3 at URL") that failed: "{@code where}: cannot {@code action}: reason". */
  public static AwsException failed(String where, String action, SdkException e) {
    return new AwsException(where + ": cannot " + action + ": " + reason(e), e);
  }

  /** AWS's error code and message when the service answered, else the innermost cause (a refused connection). */
  public static String reason(SdkException e) {
    if (e instanceof AwsServiceException service && service.awsErrorDetails() != null
        && service.awsErrorDetails().errorCode() != null) {
      return service.awsErrorDetails().errorCode() + ": " + service.awsErrorDetails().errorMessage();
    }
    return OneLine.rootMessage(e);
  }
}
