package io.etcdsnapshotter.replace;

import io.etcdsnapshotter.health.ClusterHealth;
import io.etcdsnapshotter.health.MemberHealth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a check of the cluster says about replacing this master's member: whether it needs it (and why), and which
 * other members can carry the replacement without the cluster losing quorum.
 */
final class ReplacementPlan {
  private final ClusterHealth health;
  private final Target target;
  private final MemberHealth member;

  private ReplacementPlan(ClusterHealth health, Target target, MemberHealth member) {
    this.health = health;
    this.target = target;
    this.member = member;
  }

  static ReplacementPlan of(ClusterHealth health, Target target) {
    List<MemberHealth> matches = health.members().stream().filter(target::is).toList();
    if (matches.size() > 1) {
      throw new ReplacementRefused("cluster " + health.cluster() + ": " + matches.size() + " members are named "
          + target.name() + " or have its peer URLs " + target.peerUrls() + " (IDs "
          + matches.stream().map(MemberHealth::id).collect(Collectors.joining(", ")) + "): remove the stale one"
          + " from the cluster first");
    }
    return new ReplacementPlan(health, target, matches.isEmpty() ? null : matches.get(0));
  }

  ClusterHealth health() {
    return health;
  }

  /** The member as the check saw it; empty when the member list does not hold it. */
  Optional<MemberHealth> member() {
    return Optional.ofNullable(member);
  }

  /**
   * Why the member needs replacing: empty when it is a voter that answers as itself without errors, agrees with the
   * others and still has its data ({@code dataDirProblem} empty).
   */
  List<String> reasons(Optional<String> dataDirProblem) {
    return judge(dataDirProblem, false);
  }

  /**
   * What only replacing this member mends, as automatic recovery counts it: it is no member, a learner, does not
   * answer as itself, carries a CORRUPT alarm, hashes unlike the others, or lost its data. Not what the whole
   * cluster shares (no leader, NOSPACE, which etcd reports among every member's errors): every master would see
   * that, and replacing the members one after the other mends none of it.
   */
  List<String> failures(Optional<String> dataDirProblem) {
    return judge(dataDirProblem, true);
  }

  private List<String> judge(Optional<String> dataDirProblem, boolean ownFailuresOnly) {
    List<String> reasons = new ArrayList<>();
    if (member == null) {
      reasons.add("it is not a member of the cluster");
    } else {
      if (member.learner()) {
        reasons.add("it is a learner, not a voter");
      }
      if (ownFailuresOnly ? !member.reachable() : !member.healthy()) {
        reasons.addAll(member.problems());
      } else if (ownFailuresOnly && member.alarms().contains("CORRUPT")) {
        reasons.add("alarm CORRUPT");
      }
      if (hashDiffers()) {
        reasons.add("its HashKV " + Long.toHexString(member.hash()) + " differs from the other members'");
      }
    }
    dataDirProblem.ifPresent(reasons::add);
    return reasons;
  }

  /** When every other member that was hashed has one hash and this member another: its data went wrong. */
  private boolean hashDiffers() {
    if (member.hash() == null || !health.agreement().compared() || health.agreement().agree()) {
      return false;
    }
    List<Long> others = health.members().stream().filter(m -> m != member).map(MemberHealth::hash)
        .filter(Objects::nonNull).distinct().toList();
    return others.size() == 1 && !others.get(0).equals(member.hash());
  }

  /**
   * The other voters that answer without errors, the leader first: the members a replacement goes through. Refuses,
   * naming why, when they are not a quorum of the voters: etcd could then neither remove this member nor add it
   * back, and the data would have no copy to catch up from.
   */
  List<MemberHealth> peers() {
    List<MemberHealth> voters = health.members().stream().filter(m -> !m.learner()).toList();
    List<MemberHealth> others = voters.stream().filter(m -> m != member).toList();
    List<MemberHealth> healthy = others.stream().filter(MemberHealth::healthy)
        .sorted(Comparator.comparing(MemberHealth::leader).reversed()).toList();
    int needed = ClusterHealth.quorumOf(voters.size());
    if (healthy.size() >= needed) {
      return healthy;
    }
    String cluster = "cluster " + health.cluster() + ": ";
    if (health.members().stream().allMatch(m -> m.peerUrls().isEmpty())) {
      throw new ReplacementRefused(cluster + "no member answers with the member list (" + problems(health.members())
          + "); replacing a member needs the others: bring them back, or restore the cluster from a snapshot");
    }
    if (healthy.isEmpty() && member != null && member.healthy()) {
      throw new ReplacementRefused(cluster + target.name() + " is its only healthy member: replacing it would throw"
          + " away the last good copy of the data; bring the other members back, or restore the cluster from a"
          + " snapshot");
    }
    String unhealthy = problems(others);
    throw new ReplacementRefused(cluster + "replacing " + target.name() + " would lose quorum: " + healthy.size()
        + " of the other " + others.size() + " voters are healthy, and removing it and adding it back needs "
        + needed + (unhealthy.isEmpty() ? "" : " (" + unhealthy + ")") + "; bring members back, or restore the"
        + " cluster from a snapshot");
  }

  /** Each unhealthy member with its problems: what the operator has to bring back. */
  private static String problems(List<MemberHealth> members) {
    return members.stream().filter(m -> !m.healthy())
        .map(m -> label(m) + ": " + String.join("; ", m.problems())).collect(Collectors.joining(", "));
  }

  /** How lines name a member: its name, else (added back, not started yet) its ID, else where it was asked. */
  static String label(MemberHealth member) {
    return !member.name().isEmpty() ? member.name() : !member.id().isEmpty() ? member.id() : member.endpoint();
  }
}
