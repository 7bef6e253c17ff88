package io.etcdsnapshotter.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks that the files a cluster's connection needs are there and consistent, before anything connects. */
final class ClusterConfigCheck {
  /** Far above any CA bundle (a system one is a few hundred KiB): a larger file is a wrong path, read whole. */
  private static final long MAX_PEM_BYTES = 16L << 20;
  /** A password file holds one password. */
  private static final long MAX_PASSWORD_BYTES = 4L << 10;

  private ClusterConfigCheck() {}

  static void check(ClusterConfig c) {
    TlsFiles tls = c.tls();
    readable(c, "--cacert", tls.cacert(), MAX_PEM_BYTES);
    readable(c, "--cert", tls.cert(), MAX_PEM_BYTES);
    readable(c, "--key", tls.key(), MAX_PEM_BYTES);
    if ((tls.cert() == null) != (tls.key() == null)) {
      throw new ConfigException("cluster " + c.name() + ": --cert and --key go together: give both or neither");
    }
    if ((c.user() == null) != (c.passwordFile() == null)) {
      throw new ConfigException("cluster " + c.name() + ": --user and --password-file go together: give both or neither");
    }
    readable(c, "--password-file", c.passwordFile(), MAX_PASSWORD_BYTES);
    if (tls.cacert() != null || tls.cert() != null) {
      c.endpoints().stream().filter(e -> "http".equalsIgnoreCase(e.getScheme())).findFirst().ifPresent(e -> {
        throw new ConfigException("cluster " + c.name() + ": TLS files (--cacert, --cert, --key) are given but "
            + e + " is plain http, which would send everything unencrypted; use https://" + e.getAuthority()
            + ", or leave the TLS files out");
      });
    }
  }

  private static void readable(ClusterConfig c, String flag, Path file, long maxBytes) {
    if (file == null) {
      return;
    }
    if (!(Files.isRegularFile(file) && Files.isReadable(file))) {
      throw new ConfigException("cluster " + c.name() + ": " + flag + " " + file + " is not a readable file");
    }
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new ConfigException("cluster " + c.name() + ": " + flag + " " + file + " cannot be read: "
          + e.getMessage(), e);
    }
    if (size > maxBytes) {
      throw new ConfigException("cluster " + c.name() + ": " + flag + " " + file + " is " + size + " bytes, more"
          + " than such a file ever holds (" + maxBytes + "); is it the right file?");
    }
  }
}
