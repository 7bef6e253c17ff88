package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.config.SnapshotConfig;
import io.etcdsnapshotter.config.SnapshotConfigLoader;
import io.etcdsnapshotter.config.SnapshotSettings;
import io.etcdsnapshotter.config.TlsFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Which etcd clusters to reach and how: the config file and the flags that override it, alike for every command. */
final class EtcdClientOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "YAML config file; flags override it.")
  Path config;

  @Option(names = "--cluster", paramLabel = "NAME=URL[,URL...]",
      description = "A cluster, its endpoints tried in order; repeatable; replaces the default clusters.")
  List<String> clusters = new ArrayList<>();

  @Option(names = "--cacert", paramLabel = "FILE",
      description = "CA bundle that signed the etcd server certificates (https:// endpoints only).")
  Path cacert;

  @Option(names = "--cert", paramLabel = "FILE", description = "Client certificate (PEM), with --key.")
  Path cert;

  @Option(names = "--key", paramLabel = "FILE", description = "Client private key (PEM: RSA, EC or PKCS#8).")
  Path key;

  @Option(names = "--user", paramLabel = "NAME", description = "etcd user, with --password-file.")
  String user;

  @Option(names = "--password-file", paramLabel = "FILE", description = "File holding the user's password.")
  Path passwordFile;

  @Option(names = "--dial-timeout", paramLabel = "DURATION",
      description = "Time to connect to and hear from one endpoint (default: 5s, at most 1h).")
  String dialTimeout;

  TlsFiles tls() {
    return new TlsFiles(cacert, cert, key);
  }

  /** The clusters and how to reach them, for commands that only talk to etcd (no volume, drill or metrics). */
  SnapshotConfig connection(String commandTimeout) {
    return SnapshotConfigLoader.load(new SnapshotSettings(config, null, null, dialTimeout, commandTimeout, clusters,
        tls(), user, passwordFile, null, null, null, null, null, null, null));
  }
}
