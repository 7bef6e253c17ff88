package io.etcdsnapshotter.config;

import io.etcdsnapshotter.UsageException;

/** A mistake in flags or the config file. */
public final class ConfigException extends UsageException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
