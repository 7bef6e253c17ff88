package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.config.ConfigException;
import io.etcdsnapshotter.config.SnapshotConfig;
import io.etcdsnapshotter.replace.MemberReplacement;
import io.etcdsnapshotter.replace.Target;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The member every step of member-replace acts on, and the one cluster it belongs to. */
final class MemberOptions {
  @Mixin EtcdClientOptions etcd;

  @Option(names = "--name", required = true, paramLabel = "NAME",
      description = "This master's member name (etcd's --name).")
  String name;

  @Option(names = "--peer-urls", required = true, split = ",", paramLabel = "URL",
      description = "This master's peer URLs (etcd's --initial-advertise-peer-urls).")
  List<String> peerUrls;

  @Option(names = "--command-timeout", paramLabel = "DURATION",
      description = "Time one member's HashKV may take (default: 30m, at most 1d).")
  String commandTimeout;

  MemberReplacement replacement() {
    SnapshotConfig settings = etcd.connection(commandTimeout);
    List<ClusterConfig> clusters = settings.clusters();
    if (clusters.size() != 1) {
      throw new ConfigException("a member is replaced in one cluster at a time, but " + clusters.size()
          + " are configured (" + String.join(", ", clusters.stream().map(ClusterConfig::name).toList())
          + "): give --cluster NAME=URL[,URL...] once, this master's own client URL first");
    }
    return new MemberReplacement(clusters.get(0), new Target(name, peerUrls), settings.dialTimeout(),
        settings.commandTimeout());
  }
}
