package io.etcdsnapshotter;

/**
 * The operator asked for something that cannot be done as asked: a flag, a config-file value or a target on disk
 * rules the run out before it changes anything. The message names the problem and the fix; the CLI prints it as one
 * line and exits with the command's usage code (2), so scripts tell a request to correct from a run that failed.
 */
public class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message);
  }

  public UsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
