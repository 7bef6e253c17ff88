package io.etcdsnapshotter.restore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Output of real etcdctl 3.4.23 / etcdutl 3.5.35 restores; see golden/README.md for how it was made. */
final class GoldenFiles {
  private GoldenFiles() {}

  static byte[] read(String name) {
    try (InputStream in = GoldenFiles.class.getResourceAsStream("golden/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing golden file " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
