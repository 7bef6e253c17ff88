package io.etcdsnapshotter.replace;

import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.etcd.FailureCause;
import io.etcdsnapshotter.health.Agreement;
import io.etcdsnapshotter.health.ClusterHealth;
import io.etcdsnapshotter.health.MemberHealth;
import io.etcdsnapshotter.health.Probe;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for a member that was added back and started: promotes it once etcd deems the learner in sync, waits until
 * its raft applied index reaches the leader's, and then until its HashKV equals every other member's at one
 * revision. Progress is logged every few seconds; the deadline fails it with where it stood.
 */
final class CatchUp {
  private static final Logger LOG = LoggerFactory.getLogger(CatchUp.class);
  private static final Duration POLL = Duration.ofSeconds(1);
  private static final Duration PROGRESS = Duration.ofSeconds(5);

  private final MemberReplacement replacement;
  private final ClusterConfig cluster;
  private final Target target;
  private final Duration dialTimeout;
  private Probe own;
  private Instant nextProgress = Instant.MIN;

  CatchUp(MemberReplacement replacement, ClusterConfig cluster, Target target, Duration dialTimeout) {
    this.replacement = replacement;
    this.cluster = cluster;
    this.target = target;
    this.dialTimeout = dialTimeout;
  }

  String run(Duration timeout) throws Exception {
    Instant started = Instant.now();
    Instant deadline = started.plus(timeout);
    long applied;
    long leaderIndex;
    try (Membership membership = Membership.through(cluster, replacement.check().peers(), dialTimeout)) {
      Member member = membership.list().stream().filter(target::is).findFirst().orElseThrow(() ->
          new ReplacementRefused(replacement.prefix() + target.name() + " is not a member: add it back first"));
      if (member.getIsLearner()) {
        promote(membership, member.getID(), deadline);
      }
      leaderIndex = membership.status().getRaftIndex();
      applied = awaitApplied(membership, member.getID(), leaderIndex, deadline);
    } finally {
      if (own != null) {
        own.close();
      }
    }
    ReplacementPlan caughtUp = awaitAgreement(deadline);
    return replacement.prefix() + target.name() + " caught up in " + seconds(started) + " s: raft applied index "
        + applied + " reached the leader's " + leaderIndex + ", and " + caughtUp.health().agreement().detail()
        + "; " + replacement.releaseLock(caughtUp.peers());
  }

  private void promote(Membership membership, long id, Instant deadline) throws Exception {
    while (true) {
      String refusal;
      try {
        membership.promote(id);
        LOG.info("{}promoted {} from learner to voter", replacement.prefix(), target.name());
        return;
      } catch (StatusRuntimeException e) {
        if (!retryable(e)) {
          throw e;
        }
        refusal = FailureCause.describe(e);
      }
      String notPromoted = refusal;
      pause(deadline, () -> "a learner " + position(membership, id) + ", not promoted: " + notPromoted);
    }
  }

  /** etcd's "not in sync with the leader yet" and the unavailability of an election pass; anything else is final. */
  private static boolean retryable(StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    return code == Status.Code.FAILED_PRECONDITION || code == Status.Code.UNAVAILABLE
        || code == Status.Code.DEADLINE_EXCEEDED;
  }

  private long awaitApplied(Membership membership, long id, long leaderIndex, Instant deadline) throws Exception {
    while (true) {
      Optional<StatusResponse> status = statusOf(membership, id);
      if (status.isPresent() && status.get().getRaftAppliedIndex() >= leaderIndex) {
        return status.get().getRaftAppliedIndex();
      }
      pause(deadline, () -> "a voter " + position(membership, id) + ", to reach " + leaderIndex);
    }
  }

  /** The check that found every member's HashKV alike. */
  private ReplacementPlan awaitAgreement(Instant deadline) throws Exception {
    while (true) {
      ReplacementPlan plan = replacement.check();
      ClusterHealth health = plan.health();
      Optional<MemberHealth> member = plan.member();
      Agreement agreement = health.agreement();
      String why;
      if (member.isEmpty() || !member.get().healthy() || member.get().learner()) {
        why = member.map(m -> (m.learner() ? "a learner again: " : "") + String.join("; ", m.problems()))
            .orElse("no longer a member");
      } else if (member.get().hash() == null || !agreement.compared()) {
        why = "HashKV not compared yet: " + agreement.detail();
      } else if (!agreement.agree()) {
        throw new IllegalStateException(replacement.prefix() + target.name() + " caught up, but the members'"
            + " HashKV differ: " + health.reason());
      } else {
        return plan;
      }
      String stillWaiting = why;
      pause(deadline, () -> stillWaiting);
    }
  }

  /** Where the member stands against the leader, for progress lines and the timeout's message. */
  private String position(Membership membership, long id) {
    Optional<StatusResponse> own = statusOf(membership, id);
    long leader = membership.status().getRaftIndex();
    return own.map(s -> "at raft applied index " + s.getRaftAppliedIndex() + " of the leader's " + leader)
        .orElse("not answering yet (the leader is at raft index " + leader + ")");
  }

  /**
   * The member's own status, asked at the configured endpoints and the client URLs it advertises, whichever
   * answers with its ID; empty while it does not answer.
   */
  private Optional<StatusResponse> statusOf(Membership membership, long id) {
    if (own != null) {
      try {
        return Optional.of(own.channel().maintenance().withDeadlineAfter(dialTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .status(StatusRequest.getDefaultInstance()));
      } catch (RuntimeException e) {
        own.close();
        own = null;
      }
    }
    Set<String> urls = new LinkedHashSet<>();
    cluster.endpoints().stream().map(URI::toString).forEach(urls::add);
    membership.list().stream().filter(m -> m.getID() == id).forEach(m -> urls.addAll(m.getClientURLsList()));
    for (String url : urls) {
      Probe probe = Probe.of(cluster, url, dialTimeout);
      if (probe.reached() && probe.memberId() == id) {
        own = probe;
        return Optional.of(probe.status());
      }
      probe.close();
    }
    return Optional.empty();
  }

  /**
   * Waits a moment before the next try; says where the member stands every few seconds ({@code where} is asked
   * only then, as it costs calls), and fails with it once past the deadline.
   */
  private void pause(Instant deadline, Supplier<String> where) throws Exception {
    Instant now = Instant.now();
    if (now.isAfter(deadline)) {
      throw new TimeoutException(replacement.prefix() + target.name() + " has not caught up in time (" + where.get()
          + "): its etcd log says why; give it longer with --timeout");
    }
    if (now.isAfter(nextProgress)) {
      LOG.info("{}{}: {}", replacement.prefix(), target.name(), where.get());
      nextProgress = now.plus(PROGRESS);
    }
    Thread.sleep(POLL.toMillis());
  }

  private static String seconds(Instant since) {
    return String.format("%.1f", Duration.between(since, Instant.now()).toMillis() / 1000.0);
  }
}
