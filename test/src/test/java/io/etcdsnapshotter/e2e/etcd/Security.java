package io.etcdsnapshotter.e2e.etcd;

/** How clients must reach a test cluster. */
public enum Security {
  /** Plain http, no authentication. */
  PLAIN,
  /** https with client certificates: the server demands a certificate signed by the test CA. */
  TLS,
  /** Plain http with etcd authentication enabled: a root user and a second user holding the root role. */
  AUTH
}
