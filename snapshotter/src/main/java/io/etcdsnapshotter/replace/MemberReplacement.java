package io.etcdsnapshotter.replace;

import io.etcd.jetcd.api.Member;
import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.health.ClusterCheck;
import io.etcdsnapshotter.health.MemberHealth;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The steps of replacing this master's member of one cluster, each decided afresh from a check of the cluster and
 * each safe to repeat: plan (is it needed, can the others carry it), remove it, add it back as a learner, wait until
 * it has caught up. Stopping etcd and moving its data dir aside happen between them, outside the jar.
 */
public final class MemberReplacement {
  private final ClusterConfig cluster;
  private final Target target;
  private final Duration dialTimeout;
  private final Duration hashTimeout;

  public MemberReplacement(ClusterConfig cluster, Target target, Duration dialTimeout, Duration hashTimeout) {
    this.cluster = cluster;
    this.target = target;
    this.dialTimeout = dialTimeout;
    this.hashTimeout = hashTimeout;
  }

  /** The name of the cluster the member belongs to. */
  public String cluster() {
    return cluster.name();
  }

  /** What {@link #plan} concluded: whether the member needs replacing, and the line saying why. */
  public record Plan(boolean needed, String line) {}

  /** What one {@link #look} of automatic recovery concluded, and the line saying why. */
  public record Look(Outcome outcome, String line) {
    public enum Outcome {
      /** Healthy, or failing fewer successive looks than it takes. */
      NOTHING_TO_DO,
      /** Failing enough successive looks, the others can carry it, and the lock is taken: replace it now. */
      REPLACE,
      /** The look that made quorum lost often enough in a row to report it; later looks say STILL. */
      QUORUM_LOST,
      QUORUM_STILL_LOST
    }
  }

  /**
   * Whether the member needs replacing: not when it is a healthy voter whose data is still in {@code dataDir}.
   * Refuses ({@link ReplacementRefused}) when it does but the others cannot carry it. With {@code lockTtl}, a
   * member that needs replacing takes the cluster's replacement lock for that long, and is refused when another
   * member holds it.
   */
  public Plan plan(Path dataDir, Optional<Duration> lockTtl) throws IOException {
    ReplacementPlan plan = check();
    List<String> reasons = plan.reasons(DataDir.problem(dataDir));
    if (reasons.isEmpty()) {
      return new Plan(false, prefix() + target.name() + " (" + plan.member().orElseThrow().id() + ") is a healthy"
          + " voter with its data in " + dataDir + ": nothing to do");
    }
    List<MemberHealth> peers = plan.peers();
    String needed = prefix() + target.name() + " needs replacing: " + String.join("; ", reasons) + "; the healthy"
        + " voters " + names(peers) + " can carry it";
    return new Plan(true, lockTtl.isEmpty() ? needed : needed + "; " + takeLock(peers, lockTtl.get()));
  }

  /**
   * One look of automatic recovery, counted in {@code record}: the member is replaced (the lock taken) once
   * {@code failures} successive looks found it failing; quorum lost is reported once that many found it so.
   */
  public Look look(Path dataDir, LookRecord record, int failures, Duration lockTtl) throws IOException {
    return new AutomaticLook(this, target, record, failures).run(dataDir, lockTtl);
  }

  /** Removes the member through a healthy peer; nothing when it is not a member. */
  public String remove() throws IOException {
    ReplacementPlan plan = check();
    Optional<MemberHealth> member = plan.member();
    if (member.isEmpty()) {
      return prefix() + target.name() + " is not a member: nothing to remove";
    }
    try (Membership membership = Membership.through(cluster, plan.peers(), dialTimeout)) {
      membership.remove(Long.parseUnsignedLong(member.get().id(), 16));
      return prefix() + "removed " + target.name() + " (" + member.get().id() + ") through " + membership.peer();
    }
  }

  /**
   * Adds the member back as a learner with its peer URLs; nothing when it was added already and has not started.
   * With {@code initialClusterPeerUrls} (the peer URLs of the --initial-cluster etcd will start with), refuses first
   * when they are not exactly the cluster's with this member: etcd would not join.
   */
  public String add(Set<String> initialClusterPeerUrls) throws IOException {
    ReplacementPlan plan = check();
    Optional<MemberHealth> present = plan.member();
    if (present.isPresent()) {
      MemberHealth member = present.get();
      if (member.name().isEmpty() && Set.copyOf(member.peerUrls()).equals(Set.copyOf(target.peerUrls()))) {
        return prefix() + target.name() + " was added already (" + member.id() + ") and waits to be started: nothing"
            + " to add";
      }
      throw new ReplacementRefused(prefix() + target.name() + " is still a member (" + member.id() + ", peer URLs "
          + member.peerUrls() + "): remove it first");
    }
    try (Membership membership = Membership.through(cluster, plan.peers(), dialTimeout)) {
      if (!initialClusterPeerUrls.isEmpty()) {
        checkInitialCluster(membership.list(), initialClusterPeerUrls);
      }
      Member added = membership.addLearner(target.peerUrls());
      return prefix() + "added " + target.name() + " back as a learner (" + Long.toHexString(added.getID())
          + ") through " + membership.peer() + ": start it with --initial-cluster-state existing";
    }
  }

  /**
   * Waits until the started member has caught up, promoting it once etcd deems the learner in sync; then releases
   * the replacement lock it holds.
   */
  public String catchUp(Duration timeout) throws Exception {
    return new CatchUp(this, cluster, target, dialTimeout).run(timeout);
  }

  /** Takes the replacement lock through the first of {@code peers}. */
  String takeLock(List<MemberHealth> peers, Duration ttl) throws IOException {
    try (Membership membership = Membership.through(cluster, peers, dialTimeout)) {
      return membership.lock(prefix()).take(target, ttl);
    }
  }

  /** Releases the replacement lock, when this member holds it, through the first of {@code peers}. */
  String releaseLock(List<MemberHealth> peers) throws IOException {
    try (Membership membership = Membership.through(cluster, peers, dialTimeout)) {
      return membership.lock(prefix()).release(target);
    }
  }

  ReplacementPlan check() {
    return ReplacementPlan.of(new ClusterCheck(cluster, dialTimeout, hashTimeout, ClusterCheck.DEFAULT_QUOTA).run(),
        target);
  }

  String prefix() {
    return "cluster " + cluster.name() + ": ";
  }

  private void checkInitialCluster(List<Member> members, Set<String> initialClusterPeerUrls) {
    Set<String> after = new TreeSet<>(target.peerUrls());
    members.forEach(member -> after.addAll(member.getPeerURLsList()));
    if (!after.equals(new TreeSet<>(initialClusterPeerUrls))) {
      throw new ReplacementRefused(prefix() + "with " + target.name() + " added back the members' peer URLs would be "
          + after + ", but etcd would start with an initial cluster of " + new TreeSet<>(initialClusterPeerUrls)
          + ", and refuse to join: make the initial cluster (pillar etcd:members) list exactly the cluster's members");
    }
  }

  private static String names(List<MemberHealth> members) {
    return members.stream().map(ReplacementPlan::label).collect(Collectors.joining(", "));
  }
}
