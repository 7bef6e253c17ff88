package io.etcdsnapshotter.health;

import io.etcd.jetcd.api.AlarmMember;
import io.etcd.jetcd.api.AlarmRequest;
import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.etcdsnapshotter.TextTable;
import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.etcd.FailureCause;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Checks one cluster: each configured endpoint's status, then every member the member list names but no endpoint
 * reached (through the client URLs it advertises, so a master configured with only its local endpoint still checks
 * the whole cluster), the alarms, and HashKV agreement; then the verdict.
 */
public final class ClusterCheck {
  /** etcd's default --quota-backend-bytes (2 GiB). */
  public static final long DEFAULT_QUOTA = 2L * 1024 * 1024 * 1024;
  /** At this share of the quota a member is reported: NOSPACE stops every write once it is reached. */
  static final double QUOTA_WARNING = 0.8;

  private final ClusterConfig cluster;
  private final Duration dialTimeout;
  private final Duration hashTimeout;
  private final long quotaBytes;

  public ClusterCheck(ClusterConfig cluster, Duration dialTimeout, Duration hashTimeout, long quotaBytes) {
    this.cluster = cluster;
    this.dialTimeout = dialTimeout;
    this.hashTimeout = hashTimeout;
    this.quotaBytes = quotaBytes;
  }

  public ClusterHealth run() {
    List<Probe> probes = new ArrayList<>();
    try {
      Map<String, Probe> byUrl = new LinkedHashMap<>();
      for (URI endpoint : cluster.endpoints()) {
        Probe probe = Probe.of(cluster, endpoint, dialTimeout);
        probes.add(probe);
        byUrl.put(endpoint.toString(), probe);
      }
      Optional<List<Member>> memberList = memberList(probes);
      List<Row> rows = new ArrayList<>();
      if (memberList.isPresent()) {
        for (Member member : memberList.get()) {
          rows.add(new Row(member, reach(member, probes, byUrl)));
        }
      } else {
        // Nobody answered the member list: every configured endpoint stands for one voter.
        probes.forEach(probe -> rows.add(new Row(null, probe)));
      }
      return verdict(rows);
    } finally {
      probes.forEach(Probe::close);
    }
  }

  private Optional<List<Member>> memberList(List<Probe> probes) {
    for (Probe probe : probes) {
      if (probe.reached()) {
        try {
          return Optional.of(probe.channel().cluster()
              .withDeadlineAfter(dialTimeout.toMillis(), TimeUnit.MILLISECONDS)
              .memberList(MemberListRequest.getDefaultInstance()).getMembersList());
        } catch (RuntimeException e) {
          // Try the next member: this one may be cut off.
        }
      }
    }
    return Optional.empty();
  }

  /** The probe that reached this member, probing its advertised client URLs when no configured endpoint did. */
  private Probe reach(Member member, List<Probe> probes, Map<String, Probe> byUrl) {
    for (Probe probe : probes) {
      if (probe.reached() && probe.memberId() == member.getID()) {
        return probe;
      }
    }
    Probe last = null;
    for (String url : member.getClientURLsList()) {
      Probe probe = byUrl.get(url);
      if (probe == null) {
        probe = Probe.of(cluster, url, dialTimeout);
        probes.add(probe);
        byUrl.put(url, probe);
      }
      if (probe.reached() && probe.memberId() == member.getID()) {
        return probe;
      }
      // Members that all advertise 127.0.0.1 lead every URL back to the local one: never report its status as theirs.
      last = probe.reached() ? Probe.failed(probe.endpoint(), "its client URL " + url + " is answered by member "
          + Long.toHexString(probe.memberId()) + ": give an endpoint that reaches this member, or let it advertise one"
          + " reachable from here") : probe;
    }
    return last;
  }

  private ClusterHealth verdict(List<Row> rows) {
    List<Probe> healthy = rows.stream().filter(Row::healthy).map(Row::probe).toList();
    Map<Long, List<String>> alarms = new LinkedHashMap<>();
    String alarmFailure = alarms(healthy, alarms);
    HashComparison hashes = new HashComparison(hashTimeout);
    Agreement agreement = hashes.compare(healthy);
    long leaderId = healthy.stream().mapToLong(p -> p.status().getLeader()).filter(id -> id != 0).findFirst()
        .orElse(0);
    String leader = null;
    int voters = 0;
    int answering = 0;
    boolean degraded = alarmFailure != null || agreement.compared() && !agreement.agree();
    List<MemberHealth> members = new ArrayList<>();
    for (Row row : rows) {
      MemberHealth member = row.health(alarms, hashes, agreement);
      members.add(member);
      if (!member.learner()) {
        voters++;
        answering += member.reachable() ? 1 : 0;
      }
      if (leaderId != 0 && row.id() == leaderId) {
        leader = member.name().isEmpty() ? member.id() : member.name();
      }
      degraded |= !member.problems().isEmpty();
    }
    if (leaderId != 0 && leader == null) {
      leader = Long.toHexString(leaderId);
    }
    // A voter that answers but knows no leader still votes: with enough others back, the cluster recovers by itself.
    boolean quorum = answering >= ClusterHealth.quorumOf(voters);
    String counts = answering + " of " + voters + " voters answer";
    if (!quorum) {
      return new ClusterHealth(cluster.name(), Verdict.QUORUM_LOST, "quorum lost: " + counts + " (need "
          + ClusterHealth.quorumOf(voters) + "); writes fail until enough members are back, or restore from a snapshot", leader,
          voters, answering, false, agreement, members);
    }
    if (leader == null) {
      return new ClusterHealth(cluster.name(), Verdict.QUORUM_LOST, "no leader (" + counts + "): writes fail until"
          + " one is elected", null, voters, answering, true, agreement, members);
    }
    String state = "leader " + leader + ", " + counts + ", " + agreement.detail()
        + (alarmFailure == null ? "" : ", alarms unknown: " + alarmFailure);
    if (degraded) {
      List<String> problems = members.stream().filter(m -> !m.problems().isEmpty())
          .map(m -> label(m) + ": " + String.join("; ", m.problems())).toList();
      return new ClusterHealth(cluster.name(), Verdict.DEGRADED, "degraded: "
          + (problems.isEmpty() ? state : String.join(" | ", problems) + " (" + state + ")"), leader, voters,
          answering, true, agreement, members);
    }
    return new ClusterHealth(cluster.name(), Verdict.HEALTHY, "healthy: " + state, leader, voters, answering,
        true, agreement, members);
  }

  /** Alarms are cluster-wide state, read through raft: asked of one healthy member. Null when read, else why not. */
  private String alarms(List<Probe> healthy, Map<Long, List<String>> into) {
    if (healthy.isEmpty()) {
      return "no healthy member to ask";
    }
    try {
      for (AlarmMember alarm : healthy.get(0).channel().maintenance()
          .withDeadlineAfter(dialTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .alarm(AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.GET).build()).getAlarmsList()) {
        into.computeIfAbsent(alarm.getMemberID(), id -> new ArrayList<>()).add(alarm.getAlarm().name());
      }
      return null;
    } catch (RuntimeException e) {
      return FailureCause.describe(e);
    }
  }

  private static String label(MemberHealth member) {
    return member.name().isEmpty() ? member.endpoint() : member.name();
  }

  /** A member of the member list (null when there was none) and the probe that reached it, or failed to. */
  private final class Row {
    private final Member member;
    private final Probe probe;

    Row(Member member, Probe probe) {
      this.member = member;
      this.probe = probe;
    }

    Probe probe() {
      return probe;
    }

    boolean healthy() {
      return probe != null && probe.healthy();
    }

    long id() {
      return member != null ? member.getID() : probe.reached() ? probe.memberId() : 0;
    }

    MemberHealth health(Map<Long, List<String>> alarms, HashComparison hashes, Agreement agreement) {
      String name = member == null ? "" : member.getName();
      String endpoint = probe != null && probe.endpoint() != null ? probe.endpoint().toString()
          : member.getClientURLsCount() > 0 ? member.getClientURLs(0) : "";
      String id = id() == 0 ? "" : Long.toHexString(id());
      boolean learner = member != null ? member.getIsLearner() : probe.reached() && probe.status().getIsLearner();
      List<String> problems = new ArrayList<>();
      if (probe == null) {
        problems.add("unreachable: it advertises no client URL (never started?)");
      } else if (!probe.reached()) {
        problems.add("unreachable: " + probe.failure());
      }
      if (probe == null || !probe.reached()) {
        return new MemberHealth(name, id, endpoint, peerUrls(), false, false, false, learner, 0, 0, 0, 0, 0, List.of(),
            null, "", problems);
      }
      StatusResponse status = probe.status();
      problems.addAll(status.getErrorsList());
      List<String> memberAlarms = alarms.getOrDefault(id(), List.of());
      memberAlarms.forEach(alarm -> problems.add("alarm " + alarm));
      if (status.getDbSize() >= quotaBytes * QUOTA_WARNING) {
        problems.add("db size " + TextTable.humanBytes(status.getDbSize()) + " is " + percent(status.getDbSize())
            + " of the " + TextTable.humanBytes(quotaBytes) + " quota: compact and defragment");
      }
      Long hash = hashes.hashes().get(probe);
      if (hash != null && agreement.compared() && !agreement.agree() && hash != hashes.majorityHash()) {
        problems.add("HashKV " + Long.toHexString(hash) + " at revision " + agreement.revision()
            + " differs from the majority's " + Long.toHexString(hashes.majorityHash()));
      }
      return new MemberHealth(name, id, endpoint, peerUrls(), true, status.getErrorsCount() == 0,
          status.getLeader() == id(), learner, status.getRaftTerm(), status.getRaftIndex(),
          status.getHeader().getRevision(), status.getDbSize(), status.getDbSizeInUse(), List.copyOf(memberAlarms),
          hash, status.getVersion(), problems);
    }

    private List<String> peerUrls() {
      return member == null ? List.of() : List.copyOf(member.getPeerURLsList());
    }

    private String percent(long bytes) {
      return Math.round(100.0 * bytes / quotaBytes) + "%";
    }
  }
}
