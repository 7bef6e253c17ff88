package io.etcdsnapshotter.replace;

import io.etcdsnapshotter.health.ClusterHealth;
import io.etcdsnapshotter.health.MemberHealth;
import io.etcdsnapshotter.health.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One look of automatic recovery at this master's member: counted in the {@link LookRecord}, so that only
 * {@code failures} successive looks that found it failing replace it (an etcd restarting fails one or two, and is
 * left alone), and only {@code failures} successive looks without quorum report that. It never restores: a cluster
 * without quorum has no copy to catch up from, and only an operator (or a reactor the pillar allows) picks the
 * snapshot.
 */
final class AutomaticLook {
  /** What the Salt state runs when quorum is lost, named in the line that reports it. */
  static final String RESTORE = "salt-run state.orchestrate kubernetes.etcd.cluster-restored (or"
      + " kubernetes.etcd.restored on every master, then kubernetes.running)";

  private final MemberReplacement replacement;
  private final Target target;
  private final LookRecord record;
  private final int failures;

  AutomaticLook(MemberReplacement replacement, Target target, LookRecord record, int failures) {
    this.replacement = replacement;
    this.target = target;
    this.record = record;
    this.failures = failures;
  }

  MemberReplacement.Look run(Path dataDir, Duration lockTtl) throws IOException {
    ReplacementPlan plan = replacement.check();
    ClusterHealth health = plan.health();
    if (health.verdict() == Verdict.QUORUM_LOST) {
      return quorumLost(health);
    }
    List<String> failing = plan.failures(DataDir.problem(dataDir));
    if (failing.isEmpty()) {
      record.clear();
      return new MemberReplacement.Look(MemberReplacement.Look.Outcome.NOTHING_TO_DO, replacement.prefix()
          + target.name() + " does not fail (" + health.reason() + "): nothing to do");
    }
    String why = String.join("; ", failing);
    LookRecord.Entry entry = record.count(target.name(), LookRecord.Kind.FAILING, why);
    String counted = replacement.prefix() + target.name() + " failed " + entry.looks() + " successive look"
        + (entry.looks() == 1 ? "" : "s") + " since " + entry.since() + " (" + why + ")";
    if (entry.looks() < failures) {
      return new MemberReplacement.Look(MemberReplacement.Look.Outcome.NOTHING_TO_DO, counted + "; it is replaced"
          + " after " + failures);
    }
    List<MemberHealth> peers = plan.peers();
    String locked = replacement.takeLock(peers, lockTtl);
    // A replacement that fails is tried again only after as many failed looks as the first one waited for.
    record.clear();
    return new MemberReplacement.Look(MemberReplacement.Look.Outcome.REPLACE, counted + ": replacing it through "
        + ReplacementPlan.label(peers.get(0)) + "; " + locked);
  }

  private MemberReplacement.Look quorumLost(ClusterHealth health) throws IOException {
    LookRecord.Entry entry = record.count(target.name(), LookRecord.Kind.QUORUM_LOST, health.reason());
    String line = replacement.prefix() + "no quorum for " + entry.looks() + " successive look"
        + (entry.looks() == 1 ? "" : "s") + " since " + entry.since() + " (" + health.reason() + ")";
    if (entry.looks() < failures) {
      return new MemberReplacement.Look(MemberReplacement.Look.Outcome.NOTHING_TO_DO, line + "; looking again");
    }
    String restore = line + ". Automatic recovery replaces no member without quorum and restores nothing by itself:"
        + " restore the cluster from a snapshot, " + RESTORE + ", as the restore runbook says";
    return new MemberReplacement.Look(entry.looks() == failures ? MemberReplacement.Look.Outcome.QUORUM_LOST
        : MemberReplacement.Look.Outcome.QUORUM_STILL_LOST, restore);
  }
}
