package io.etcdsnapshotter.replace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdsnapshotter.health.Agreement;
import io.etcdsnapshotter.health.ClusterHealth;
import io.etcdsnapshotter.health.MemberHealth;
import io.etcdsnapshotter.health.Verdict;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When replacing a member is needed, and when the other members can carry it without losing quorum. */
class ReplacementPlanTest {
  private static final Target MASTER_3 = new Target("master-3", List.of("https://10.0.3.10:2380"));
  private static final Agreement ALIKE = new Agreement(true, true, 42, "all 3 members hash alike at revision 42");

  @Test
  void aHealthyVoterWithItsDataNeedsNothing() {
    ReplacementPlan plan = plan(ALIKE, up("master-1", true), up("master-2", false), up("master-3", false));

    assertThat(plan.reasons(Optional.empty())).isEmpty();
  }

  @Test
  void aHealthyVoterWhoseDataDirIsGoneNeedsReplacingThroughTheOthersLeaderFirst() {
    ReplacementPlan plan = plan(ALIKE, up("master-1", false), up("master-2", true), up("master-3", false));

    assertThat(plan.reasons(Optional.of("its data dir /var/etcd/data is missing")))
        .containsExactly("its data dir /var/etcd/data is missing");
    assertThat(plan.peers()).extracting(MemberHealth::name).containsExactly("master-2", "master-1");
  }

  @Test
  void anUnreachableMemberNeedsReplacingWhileBothOthersAreHealthy() {
    ReplacementPlan plan = plan(ALIKE, up("master-1", true), up("master-2", false), down("master-3"));

    assertThat(plan.reasons(Optional.empty())).containsExactly("unreachable: connection refused");
    assertThat(plan.peers()).hasSize(2);
  }

  @Test
  void aMemberMissingFromTheListOrLeftALearnerNeedsReplacing() {
    assertThat(plan(ALIKE, up("master-1", true), up("master-2", false)).reasons(Optional.empty()))
        .containsExactly("it is not a member of the cluster");
    MemberHealth learner = member("master-3", true, true, false, true, 7L);
    assertThat(plan(ALIKE, up("master-1", true), up("master-2", false), learner).reasons(Optional.empty()))
        .containsExactly("it is a learner, not a voter");
  }

  @Test
  void aMemberWhoseHashDiffersFromTheOthersNeedsReplacing() {
    Agreement differ = new Agreement(true, false, 42, "2 different hashes among 3 members at revision 42");
    MemberHealth corrupt = member("master-3", true, true, false, false, 0xbadL);

    assertThat(plan(differ, up("master-1", true), up("master-2", false), corrupt).reasons(Optional.empty()))
        .containsExactly("its HashKV bad differs from the other members'");
  }

  @Test
  void withOneOtherDownRemovingItWouldLoseQuorumAndTheRefusalNamesWhy() {
    ReplacementPlan plan = plan(ALIKE, up("master-1", true), down("master-2"), down("master-3"));

    assertThatThrownBy(plan::peers).isInstanceOf(ReplacementRefused.class)
        .hasMessage("cluster main: replacing master-3 would lose quorum: 1 of the other 2 voters are healthy, and"
            + " removing it and adding it back needs 2 (master-2: unreachable: connection refused); bring members"
            + " back, or restore the cluster from a snapshot");
  }

  @Test
  void onceRemovedTheTwoRemainingVotersMustBothBeHealthyToAddItBack() {
    ReplacementPlan plan = plan(ALIKE, up("master-1", true), down("master-2"));

    assertThatThrownBy(plan::peers).hasMessageContaining("1 of the other 2 voters are healthy")
        .hasMessageContaining("needs 2");
  }

  @Test
  void theOnlyHealthyMemberIsNeverReplaced() {
    ReplacementPlan plan = plan(ALIKE, down("master-1"), down("master-2"), up("master-3", false));

    assertThatThrownBy(plan::peers).isInstanceOf(ReplacementRefused.class)
        .hasMessageStartingWith("cluster main: master-3 is its only healthy member: replacing it would throw away"
            + " the last good copy of the data");
  }

  @Test
  void fiveVotersWithTwoDownStillCarryIt() {
    ReplacementPlan plan = plan(ALIKE, up("master-1", true), up("master-2", false), up("master-4", false),
        down("master-5"), down("master-3"));

    assertThat(plan.peers()).extracting(MemberHealth::name).containsExactly("master-1", "master-2", "master-4");
  }

  @Test
  void withoutAMemberListNothingIsReplaced() {
    MemberHealth endpointOnly = new MemberHealth("", "", "http://127.0.0.1:2379", List.of(), false, false, false,
        false, 0, 0, 0, 0, 0, List.of(), null, "", List.of("unreachable: connection refused"));
    ReplacementPlan plan = plan(new Agreement(false, true, 0, "nobody answers"), endpointOnly);

    assertThatThrownBy(plan::peers).hasMessage("cluster main: no member answers with the member list"
        + " (http://127.0.0.1:2379: unreachable: connection refused); replacing a member needs the others: bring"
        + " them back, or restore the cluster from a snapshot");
  }

  @Test
  void twoMembersMatchingNameAndPeerUrlAreRefused() {
    MemberHealth sameName = member("master-3", true, true, false, false, 7L);
    MemberHealth samePeerUrl = new MemberHealth("", "c3", "", MASTER_3.peerUrls(), false, false, false, true, 0, 0,
        0, 0, 0, List.of(), null, "", List.of());
    ClusterHealth health = health(ALIKE, up("master-1", true), sameName, samePeerUrl);

    assertThatThrownBy(() -> ReplacementPlan.of(health, MASTER_3)).isInstanceOf(ReplacementRefused.class)
        .hasMessageContaining("2 members are named master-3 or have its peer URLs");
  }

  private static ReplacementPlan plan(Agreement agreement, MemberHealth... members) {
    return ReplacementPlan.of(health(agreement, members), MASTER_3);
  }

  private static ClusterHealth health(Agreement agreement, MemberHealth... members) {
    return new ClusterHealth("main", Verdict.DEGRADED, "", null, members.length, members.length, true, agreement,
        List.of(members));
  }

  private static MemberHealth up(String name, boolean leader) {
    return member(name, true, true, leader, false, 7L);
  }

  private static MemberHealth down(String name) {
    return new MemberHealth(name, id(name), "", peerUrls(name), false, false, false, false, 0, 0, 0, 0, 0, List.of(),
        null, "", List.of("unreachable: connection refused"));
  }

  private static MemberHealth member(String name, boolean reachable, boolean healthy, boolean leader, boolean learner,
      Long hash) {
    return new MemberHealth(name, id(name), "http://127.0.0.1:2379", peerUrls(name), reachable, healthy, leader,
        learner, 2, 100, 42, 1 << 20, 1 << 20, List.of(), hash, "3.6.16", List.of());
  }

  private static String id(String name) {
    return "c" + name.charAt(name.length() - 1);
  }

  private static List<String> peerUrls(String name) {
    return List.of("https://10.0." + name.charAt(name.length() - 1) + ".10:2380");
  }
}
