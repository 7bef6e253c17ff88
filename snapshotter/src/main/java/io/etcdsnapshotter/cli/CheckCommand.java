package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.config.ConfigException;
import io.etcdsnapshotter.config.SnapshotConfig;
import io.etcdsnapshotter.health.ClusterCheck;
import io.etcdsnapshotter.health.ClusterHealth;
import io.etcdsnapshotter.health.HealthJson;
import io.etcdsnapshotter.health.HealthTable;
import io.etcdsnapshotter.health.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    // 2 means "quorum lost" here, as etcdadm's check did; a usage error must not read as that.
    exitCodeOnInvalidInput = CheckCommand.EXIT_USAGE,
    description = {
      "Checks the health of every configured etcd cluster (the same config and flags as snapshot; default: main ="
          + " http://127.0.0.1:2379, events = http://127.0.0.1:4002).",
      "Each configured endpoint is asked for its status; every other member in the cluster's member list is reached"
          + " through the client URLs it advertises, with the same TLS and auth settings. Per member: healthy (it"
          + " answers its status without errors), leader, learner, raft term and index, db size and size in use"
          + " against the quota (reported from 80%% on), alarms (NOSPACE, CORRUPT), and its HashKV at a revision"
          + " every healthy member has (the last compaction's, whose hash etcd keeps from compacting; in a cluster"
          + " never compacted, the lowest current one): differing hashes mean the members' data differ.",
      "Per cluster: the leader, the voters that answer of all voters (quorum holds while more than half answer; a"
          + " member that answers with an error such as \"no leader\" still votes), and a one-line verdict on"
          + " stdout, also on stderr when not healthy: healthy, degraded (naming each member's problem) or"
          + " quorum lost."
    },
    exitCodeListHeading = "Exit codes (the worst cluster's):%n",
    exitCodeList = {
      "0:every cluster healthy",
      "1:degraded: a member unreachable or reporting errors, an alarm, the quota nearly used, or members that"
          + " disagree, but quorum holds and there is a leader",
      "2:quorum lost or no leader in some cluster: writes fail",
      "64:usage or config error (bad flags or config file); not 2, which means quorum lost"
    })
final class CheckCommand implements Callable<Integer> {
  static final int EXIT_USAGE = 64;

  enum Format { table, json }

  @Spec CommandSpec spec;

  @Mixin EtcdClientOptions etcd;

  @Option(names = "--command-timeout", paramLabel = "DURATION",
      description = "Time one member's HashKV may take (default: 30m, at most 1d).")
  String commandTimeout;

  @Option(names = "--quota-bytes", paramLabel = "BYTES",
      description = "The members' --quota-backend-bytes (default: 2147483648, etcd's default of 2 GiB).")
  Long quotaBytes;

  @Option(names = {"-w", "--write-out"}, defaultValue = "table", description = "table (default) or json.")
  Format format;

  @Override
  public Integer call() {
    long quota = quotaBytes == null ? ClusterCheck.DEFAULT_QUOTA : quotaBytes;
    if (quota <= 0) {
      throw new ConfigException("--quota-bytes must be more than 0, not " + quota);
    }
    SnapshotConfig settings = etcd.connection(commandTimeout);
    List<ClusterHealth> results = new ArrayList<>();
    Verdict overall = Verdict.HEALTHY;
    for (ClusterConfig cluster : settings.clusters()) {
      ClusterHealth health = new ClusterCheck(cluster, settings.dialTimeout(), settings.commandTimeout(), quota).run();
      results.add(health);
      overall = overall.worse(health.verdict());
      if (health.verdict() != Verdict.HEALTHY) {
        spec.commandLine().getErr().println("etcd-snapshotter check: cluster " + health.cluster() + ": "
            + health.reason());
      }
    }
    spec.commandLine().getOut().print(format == Format.json ? HealthJson.render(results, overall, quota) + "\n"
        : HealthTable.render(results, quota));
    spec.commandLine().getOut().flush();
    return overall.exitCode();
  }
}
