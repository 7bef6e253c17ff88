package io.etcdsnapshotter.config;

/** A mistake in flags or the config file: the CLI reports it in one line and exits 2. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
