package io.etcdsnapshotter.cli;

import picocli.CommandLine;

/** Reports the version Maven stamped into the jar manifest. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {"etcd-snapshotter " + (version == null ? "dev" : version)};
  }
}
