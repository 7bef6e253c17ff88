package io.etcdsnapshotter.config;

import java.nio.file.Path;

/** The PEM files of a TLS connection to etcd; any of them may be absent (plain http, or server-only TLS). */
public record TlsFiles(Path cacert, Path cert, Path key) {
  public static final TlsFiles NONE = new TlsFiles(null, null, null);

  public boolean clientCertificate() {
    return cert != null;
  }

  /** Fills the files this one lacks from {@code fallback}: flags first, then the config file. */
  public TlsFiles orElse(TlsFiles fallback) {
    return new TlsFiles(
        cacert != null ? cacert : fallback.cacert,
        cert != null ? cert : fallback.cert,
        key != null ? key : fallback.key);
  }
}
