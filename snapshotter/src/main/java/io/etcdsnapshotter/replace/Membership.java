package io.etcdsnapshotter.replace;

import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberPromoteRequest;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.etcd.EtcdChannel;
import io.etcdsnapshotter.health.MemberHealth;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * etcd's Cluster and Maintenance calls through one healthy member, never through the one being replaced: it may be
 * down, or answer from data it has lost.
 */
final class Membership implements AutoCloseable {
  /** etcd answers a membership change within its request timeout (5 s) unless a leader is being elected meanwhile. */
  private static final Duration CALL = Duration.ofSeconds(30);

  private final EtcdChannel channel;
  private final String peer;

  private Membership(EtcdChannel channel, String peer) {
    this.channel = channel;
    this.peer = peer;
  }

  /** Through the first of {@code peers} (the leader when it is among them). */
  static Membership through(ClusterConfig cluster, List<MemberHealth> peers, Duration dialTimeout)
      throws IOException {
    MemberHealth first = peers.get(0);
    return new Membership(EtcdChannel.open(cluster, URI.create(first.endpoint()), dialTimeout),
        ReplacementPlan.label(first));
  }

  /** The member the calls go through, for the lines that report them. */
  String peer() {
    return peer;
  }

  List<Member> list() {
    return channel.cluster().withDeadlineAfter(CALL.toMillis(), TimeUnit.MILLISECONDS)
        .memberList(MemberListRequest.getDefaultInstance()).getMembersList();
  }

  void remove(long id) {
    channel.cluster().withDeadlineAfter(CALL.toMillis(), TimeUnit.MILLISECONDS)
        .memberRemove(MemberRemoveRequest.newBuilder().setID(id).build());
  }

  Member addLearner(List<String> peerUrls) {
    return channel.cluster().withDeadlineAfter(CALL.toMillis(), TimeUnit.MILLISECONDS)
        .memberAdd(MemberAddRequest.newBuilder().addAllPeerURLs(peerUrls).setIsLearner(true).build()).getMember();
  }

  /** etcd refuses (FAILED_PRECONDITION) until the learner is nearly in sync with the leader. */
  void promote(long id) {
    channel.cluster().withDeadlineAfter(CALL.toMillis(), TimeUnit.MILLISECONDS)
        .memberPromote(MemberPromoteRequest.newBuilder().setID(id).build());
  }

  /** The replacement lock of this cluster, taken and released through this member. */
  ReplacementLock lock(String prefix) {
    return new ReplacementLock(channel, prefix);
  }

  /** The status of the member the calls go through: its raft index is the leader's when it leads. */
  StatusResponse status() {
    return channel.maintenance().withDeadlineAfter(CALL.toMillis(), TimeUnit.MILLISECONDS)
        .status(StatusRequest.getDefaultInstance());
  }

  @Override
  public void close() {
    channel.close();
  }
}
