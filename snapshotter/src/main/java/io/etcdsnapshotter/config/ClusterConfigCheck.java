package io.etcdsnapshotter.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks that the files a cluster's connection needs are there and consistent, before anything connects. */
final class ClusterConfigCheck {
  private ClusterConfigCheck() {}

  static void check(ClusterConfig c) {
    TlsFiles tls = c.tls();
    readable(c, "--cacert", tls.cacert());
    readable(c, "--cert", tls.cert());
    readable(c, "--key", tls.key());
    if ((tls.cert() == null) != (tls.key() == null)) {
      throw new ConfigException("cluster " + c.name() + ": --cert and --key go together: give both or neither");
    }
    if ((c.user() == null) != (c.passwordFile() == null)) {
      throw new ConfigException("cluster " + c.name() + ": --user and --password-file go together: give both or neither");
    }
    readable(c, "--password-file", c.passwordFile());
  }

  private static void readable(ClusterConfig c, String flag, Path file) {
    if (file != null && !(Files.isRegularFile(file) && Files.isReadable(file))) {
      throw new ConfigException("cluster " + c.name() + ": " + flag + " " + file + " is not a readable file");
    }
  }
}
