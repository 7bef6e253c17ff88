package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.config.ConfigException;
import io.etcdsnapshotter.restore.EtcdRelease;
import picocli.CommandLine.Option;

/** {@code --etcd-version}: the etcd that will run a restored member, so a snapshot it would refuse is refused first. */
final class EtcdVersionOption {
  @Option(names = "--etcd-version", paramLabel = "X.Y[.Z]",
      description = "The etcd release that will start the restored member (e.g. 3.6.16). A snapshot it would refuse"
          + " (etcd 3.6 refuses 3.7 storage; 3.4.31+ refuses 3.6+ storage) is refused before anything is written."
          + " Default: no such check; the output names the releases that start the result.")
  String text;

  /** The release named, or null when the flag was not given. */
  EtcdRelease release() throws ConfigException {
    if (text == null) {
      return null;
    }
    return EtcdRelease.parse(text).orElseThrow(() -> new ConfigException("--etcd-version '" + text
        + "' is not an etcd release; give one such as 3.6.16 or 3.6"));
  }
}
