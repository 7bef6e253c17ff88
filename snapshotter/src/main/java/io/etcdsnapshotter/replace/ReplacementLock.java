package io.etcdsnapshotter.replace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.etcdsnapshotter.etcd.EtcdChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One member replacement at a time per cluster, coordinated through that cluster: a key naming the member being
 * replaced, attached to a lease as long as the whole replacement may take. It is taken before anything is stopped,
 * taken again (with a fresh lease) by the same member, released once the member has caught up; a replacement that
 * dies leaves it to expire. Without it two masters could each take their member out, and two of three is quorum lost.
 */
final class ReplacementLock {
  static final String KEY = "/etcd-snapshotter/member-replace/lock";
  private static final ByteString KEY_BYTES = ByteString.copyFromUtf8(KEY);
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final Duration CALL = Duration.ofSeconds(30);
  /** A holder's key can expire between our two reads; past this many, something else is going on. */
  private static final int ATTEMPTS = 3;

  /** What the key holds: who is being replaced, from which host, since when. */
  record Holder(String member, List<String> peerUrls, String host, String since) {}

  private final EtcdChannel channel;
  private final String prefix;

  ReplacementLock(EtcdChannel channel, String prefix) {
    this.channel = channel;
    this.prefix = prefix;
  }

  /**
   * Takes the lock for {@code target} for {@code ttl}, or takes it again when it holds it already (an apply that
   * starts over); refuses, naming the holder and when its lease expires, when another member holds it.
   */
  String take(Target target, Duration ttl) throws IOException {
    Holder mine = new Holder(target.name(), target.peerUrls(), host(), Instant.now().truncatedTo(ChronoUnit.SECONDS)
        .toString());
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      long lease = grant(ttl);
      Compare free = Compare.newBuilder().setKey(KEY_BYTES).setTarget(Compare.CompareTarget.CREATE)
          .setResult(Compare.CompareResult.EQUAL).setCreateRevision(0).build();
      TxnResponse txn = kv().txn(TxnRequest.newBuilder().addCompare(free).addSuccess(put(mine, lease))
          .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(KEY_BYTES))).build());
      if (txn.getSucceeded()) {
        return "took the replacement lock " + KEY + " for " + ttl.toSeconds() + " s";
      }
      List<KeyValue> held = txn.getResponses(0).getResponseRange().getKvsList();
      if (held.isEmpty()) {
        revoke(lease);
        continue;
      }
      KeyValue current = held.get(0);
      Optional<Holder> holder = parse(current);
      if (holder.isEmpty() || !holder.get().member().equals(target.name())) {
        revoke(lease);
        throw new ReplacementRefused(prefix + "another replacement is under way: " + describe(holder, current)
            + " holds " + KEY + " until it has caught up, or until its lease expires" + expiry(current.getLease())
            + "; nothing was stopped, try again then");
      }
      Compare unchanged = Compare.newBuilder().setKey(KEY_BYTES).setTarget(Compare.CompareTarget.MOD)
          .setResult(Compare.CompareResult.EQUAL).setModRevision(current.getModRevision()).build();
      if (kv().txn(TxnRequest.newBuilder().addCompare(unchanged).addSuccess(put(mine, lease)).build())
          .getSucceeded()) {
        revoke(current.getLease());
        return "took the replacement lock " + KEY + " again for " + ttl.toSeconds() + " s (" + target.name()
            + " held it since " + holder.get().since() + ")";
      }
      revoke(lease);
    }
    throw new IllegalStateException(prefix + "the replacement lock " + KEY + " changed hands " + ATTEMPTS
        + " times while it was being taken: try again");
  }

  /** Releases the lock when {@code target} holds it; a lock of another member is left alone. */
  String release(Target target) {
    List<KeyValue> held = kv().withDeadlineAfter(CALL.toMillis(), TimeUnit.MILLISECONDS)
        .range(RangeRequest.newBuilder().setKey(KEY_BYTES).build()).getKvsList();
    if (held.isEmpty()) {
      return "no replacement lock was held";
    }
    Optional<Holder> holder = parse(held.get(0));
    if (holder.isEmpty() || !holder.get().member().equals(target.name())) {
      return "the replacement lock is " + describe(holder, held.get(0)) + "'s: left alone";
    }
    // Revoking the lease deletes the key; a lease that expired meanwhile took the key with it.
    revoke(held.get(0).getLease());
    return "released the replacement lock";
  }

  private KVGrpc.KVBlockingStub kv() {
    return channel.kv().withDeadlineAfter(CALL.toMillis(), TimeUnit.MILLISECONDS);
  }

  private LeaseGrpc.LeaseBlockingStub lease() {
    return channel.lease().withDeadlineAfter(CALL.toMillis(), TimeUnit.MILLISECONDS);
  }

  private long grant(Duration ttl) {
    return lease().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(ttl.toSeconds()).build()).getID();
  }

  private void revoke(long lease) {
    if (lease == 0) {
      return;
    }
    try {
      lease().leaseRevoke(LeaseRevokeRequest.newBuilder().setID(lease).build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
        throw e;
      }
    }
  }

  /** " in N s (at TIME)", from the holder's lease as etcd counts it now. */
  private String expiry(long lease) {
    if (lease == 0) {
      return " (it has no lease: delete the key once that replacement is over)";
    }
    long seconds = lease().leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(lease).build()).getTTL();
    return seconds < 0 ? " (now)"
        : " in " + seconds + " s (at " + Instant.now().plusSeconds(seconds).truncatedTo(ChronoUnit.SECONDS) + ")";
  }

  private static RequestOp put(Holder holder, long lease) throws JsonProcessingException {
    return RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(KEY_BYTES)
        .setValue(ByteString.copyFrom(JSON.writeValueAsBytes(holder))).setLease(lease)).build();
  }

  private static Optional<Holder> parse(KeyValue kv) {
    try {
      Holder holder = JSON.readValue(kv.getValue().toByteArray(), Holder.class);
      return holder.member() == null ? Optional.empty() : Optional.of(holder);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static String describe(Optional<Holder> holder, KeyValue kv) {
    return holder.map(h -> h.member() + " (host " + h.host() + ", since " + h.since() + ")")
        .orElse("a holder it cannot name (value " + kv.getValue().toString(StandardCharsets.UTF_8) + ")");
  }

  /** The host name the kernel has: no DNS lookup, which can hang on a master whose resolver is what failed. */
  private static String host() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    } catch (IOException e) {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException unknown) {
        return "unknown";
      }
    }
  }
}
