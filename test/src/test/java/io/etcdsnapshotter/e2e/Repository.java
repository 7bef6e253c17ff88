package io.etcdsnapshotter.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout under test, found from wherever Maven runs the tests, for its Salt states and scripts. */
public final class Repository {
  private Repository() {}

  public static Path root() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve("salt/kubernetes/map.jinja"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no salt/kubernetes/map.jinja above " + Path.of("").toAbsolutePath());
  }
}
