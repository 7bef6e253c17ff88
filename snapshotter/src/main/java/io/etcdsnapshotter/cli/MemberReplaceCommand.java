package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.config.ConfigException;
import io.etcdsnapshotter.config.DurationParser;
import io.etcdsnapshotter.replace.LookRecord;
import io.etcdsnapshotter.replace.MemberReplacement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "member-replace",
    mixinStandardHelpOptions = true,
    description = {
      "Replaces this master's etcd member, whose data was lost or went bad, with a fresh one that catches up from"
          + " the others, one step per subcommand: plan, then (with etcd stopped) remove, then (with the data dir"
          + " moved aside) add, then (with etcd started with --initial-cluster-state existing) catch-up. The Salt"
          + " state kubernetes.etcd.member-replaced runs them in that order; each step decides afresh from the"
          + " cluster's state, so running one again does no harm.",
      "Every step takes the cluster with --cluster NAME=URL[,URL...]: this master's own client URL first, then the"
          + " other members' (the client URLs the member list advertises are tried too), with the TLS and auth flags"
          + " of check and snapshot. Membership is changed only through a healthy other member, and only while the"
          + " other voters that answer without errors are a quorum of the voters: otherwise the step refuses, naming"
          + " why, and changes nothing.",
      "One replacement at a time per cluster: plan --lock-ttl (and look) take a lock in the cluster itself, the key"
          + " /etcd-snapshotter/member-replace/lock on a lease of that TTL, before anything is stopped; another"
          + " member's replacement is refused, naming the holder and when its lease expires; catch-up releases it."
    },
    subcommands = {
      MemberReplaceCommand.Plan.class,
      MemberReplaceCommand.Remove.class,
      MemberReplaceCommand.Add.class,
      MemberReplaceCommand.CatchUp.class,
      MemberReplaceCommand.Look.class
    })
final class MemberReplaceCommand implements Runnable {
  /** plan's answer "replace it", apart from 1 (refused or failed) and 2 (usage). */
  static final int EXIT_REPLACE = 3;
  /** look's "quorum lost, reported at this look". */
  static final int EXIT_QUORUM_LOST = 4;
  /** The replacement lock outlives anything a typo would not: the longest catch-up and a stop. */
  private static final Duration MAX_LOCK_TTL = Duration.ofDays(2);
  private static final Logger LOG = LoggerFactory.getLogger(MemberReplaceCommand.class);

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "plan",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Says whether this master's member needs replacing, and whether the others can carry it. It does not when"
            + " it is a voter that answers as itself without errors (such as \"no leader\", or an alarm), hashes like"
            + " the others, and --data-dir still holds its database and WAL. Changes nothing."
      },
      exitCodeListHeading = "Exit codes:%n",
      exitCodeList = {
        "0:a healthy voter with its data in place: nothing to do",
        "1:it needs replacing, but the other healthy voters are no quorum, or it is the only healthy member, or"
            + " another member's replacement holds the lock; or the check failed",
        "2:usage or config error",
        "3:it needs replacing, and the other members can carry it"
      })
  static final class Plan implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin MemberOptions member;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "This member's data dir.")
    Path dataDir;

    @Option(names = "--lock-ttl", paramLabel = "DURATION",
        description = "When it needs replacing, take the cluster's replacement lock for this long (at most 2d):"
            + " enough for stopping etcd and the whole catch-up. Without it, plan only looks.")
    String lockTtl;

    @Override
    public Integer call() throws Exception {
      Optional<Duration> ttl = Optional.ofNullable(lockTtl).map(MemberReplaceCommand::lockTtl);
      MemberReplacement.Plan plan = member.replacement().plan(dataDir, ttl);
      spec.commandLine().getOut().println(plan.line());
      return plan.needed() ? EXIT_REPLACE : 0;
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Removes this master's member from the cluster (found by --peer-urls or --name) through a healthy other"
            + " member; nothing when it is no member. Stop its etcd first: a removed member that still runs exits.",
        "Exit codes: 0 removed, or nothing to remove; 1 refused (quorum) or failed; 2 usage error."
      })
  static final class Remove implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin MemberOptions member;

    @Override
    public Integer call() throws Exception {
      spec.commandLine().getOut().println(member.replacement().remove());
      return 0;
    }
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Adds this master's member back as a learner with --peer-urls, through a healthy other member; nothing when"
            + " it was added already and has not started. Then start its etcd on an empty data dir with"
            + " --initial-cluster-state existing and the --initial-cluster given here.",
        "Exit codes: 0 added, or added already; 1 refused (still a member, quorum, an --initial-cluster etcd would"
            + " not join with) or failed; 2 usage error."
      })
  static final class Add implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin MemberOptions member;

    @Option(names = "--initial-cluster", paramLabel = "NAME=URL,...",
        description = "The --initial-cluster its etcd will start with: refused, before adding, unless its peer URLs"
            + " are exactly the cluster's with this member.")
    String initialCluster;

    @Override
    public Integer call() throws Exception {
      spec.commandLine().getOut().println(member.replacement().add(peerUrls(initialCluster)));
      return 0;
    }

    private static Set<String> peerUrls(String initialCluster) {
      Set<String> urls = new LinkedHashSet<>();
      if (initialCluster == null) {
        return urls;
      }
      for (String entry : initialCluster.split(",")) {
        int eq = entry.indexOf('=');
        if (eq <= 0 || eq == entry.length() - 1) {
          throw new ConfigException("--initial-cluster entry '" + entry + "' must look like NAME=URL");
        }
        urls.add(entry.substring(eq + 1));
      }
      return urls;
    }
  }

  @Command(
      name = "catch-up",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Waits until this master's member, added back and started, has caught up: promotes it from learner to"
            + " voter as soon as etcd deems it in sync with the leader, waits until its raft applied index reaches"
            + " the leader's, then until its HashKV equals the other members' at one revision. Logs where it stands"
            + " every 5 s; prints how long it took.",
        "Exit codes: 0 caught up; 1 not within --timeout (saying where it stood), members that hash differently, or"
            + " failed; 2 usage error."
      })
  static final class CatchUp implements Callable<Integer> {
    /** A day covers any database etcd's 8 GiB quota allows over the slowest link; a week is a typo. */
    private static final Duration MAX_TIMEOUT = Duration.ofDays(1);

    @Spec CommandSpec spec;
    @Mixin MemberOptions member;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m",
        description = "How long to wait (default: ${DEFAULT-VALUE}, at most 1d).")
    String timeout;

    @Override
    public Integer call() throws Exception {
      Duration limit = DurationParser.parse(timeout, "--timeout", MAX_TIMEOUT);
      spec.commandLine().getOut().println(member.replacement().catchUp(limit));
      return 0;
    }
  }

  @Command(
      name = "look",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "One look of automatic recovery (the Salt schedule runs it): replace this master's member only after"
            + " --failures successive looks found it failing, never after one that an etcd restarting explains."
            + " Failing means: no member of the cluster, a learner, not answering as itself, a CORRUPT alarm, a"
            + " HashKV unlike the other members', or --data-dir without its database or WAL; not what every member"
            + " shares (no leader, NOSPACE). A look that finds it well forgets the count. When the others can carry"
            + " it, it takes the replacement lock (as plan --lock-ttl) and answers 3: run remove, add and catch-up.",
        "Quorum lost (check's exit 2) for --failures successive looks is reported once, at the look that makes"
            + " them (exit 4), and every later look fails (exit 1): nothing is replaced or restored, the line names"
            + " the restore to run. The count is kept in DIR/CLUSTER.json (0600)."
      },
      exitCodeListHeading = "Exit codes:%n",
      exitCodeList = {
        "0:nothing to do: it does not fail, or has failed fewer looks than --failures (or quorum has)",
        "1:refused (the others cannot carry it, or another replacement holds the lock), quorum still lost, or the"
            + " look failed",
        "2:usage or config error",
        "3:replace it now: the lock is taken",
        "4:quorum lost for --failures successive looks, reported now: restore from a snapshot"
      })
  static final class Look implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin MemberOptions member;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "This member's data dir.")
    Path dataDir;

    @Option(names = "--record-dir", required = true, paramLabel = "DIR",
        description = "Where the count of successive looks is kept, one file per cluster (0700).")
    Path recordDir;

    @Option(names = "--failures", defaultValue = "3", paramLabel = "N",
        description = "Successive failed looks before it is replaced (default: ${DEFAULT-VALUE}, 1 to 100).")
    int failures;

    @Option(names = "--lock-ttl", required = true, paramLabel = "DURATION",
        description = "How long the replacement lock is taken for (at most 2d): stopping etcd and the whole catch-up.")
    String lockTtl;

    @Override
    public Integer call() throws Exception {
      if (failures < 1 || failures > 100) {
        throw new ConfigException("--failures " + failures + " is out of range: give 1 to 100");
      }
      Duration ttl = lockTtl(lockTtl);
      MemberReplacement replacement = member.replacement();
      MemberReplacement.Look look = replacement.look(dataDir, LookRecord.in(recordDir, replacement.cluster()),
          failures, ttl);
      switch (look.outcome()) {
        case NOTHING_TO_DO, REPLACE -> spec.commandLine().getOut().println(look.line());
        // What the scheduled job's log keeps: Salt logs a failed command's output.
        case QUORUM_LOST, QUORUM_STILL_LOST -> LOG.error(look.line());
      }
      return switch (look.outcome()) {
        case NOTHING_TO_DO -> 0;
        case REPLACE -> EXIT_REPLACE;
        case QUORUM_LOST -> EXIT_QUORUM_LOST;
        case QUORUM_STILL_LOST -> 1;
      };
    }
  }

  private static Duration lockTtl(String text) {
    return DurationParser.parse(text, "--lock-ttl", MAX_LOCK_TTL);
  }
}
