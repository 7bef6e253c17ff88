package io.etcdsnapshotter.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** The existing directory a trial restore builds in (a new private dir inside it): one given, or the system temp dir. */
public final class ScratchDir {
  private ScratchDir() {}

  /** {@code given}, which {@code what} (a flag or config key) named, or the system temp dir when null. */
  public static Path of(Path given, String what) {
    if (given == null) {
      return Path.of(System.getProperty("java.io.tmpdir"));
    }
    if (!Files.isDirectory(given)) {
      throw new ConfigException(what + " " + given + (Files.exists(given) ? " is not a directory" : " does not exist")
          + "; give an existing directory, or leave it out for the system temp dir");
    }
    return given;
  }
}
