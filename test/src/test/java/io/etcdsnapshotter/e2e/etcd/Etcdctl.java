package io.etcdsnapshotter.e2e.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.Processes;
import io.etcdsnapshotter.e2e.tls.TlsMaterial;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The etcdctl of a cluster's release, with the endpoints, TLS files and credentials that cluster needs. */
public final class Etcdctl {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final Duration POLL = Duration.ofMillis(200);
  private final EtcdVersion version;
  private final List<URI> endpoints;
  private final TlsMaterial tls;
  private final String credentials;

  Etcdctl(EtcdVersion version, List<URI> endpoints, TlsMaterial tls, String credentials) {
    this.version = version;
    this.endpoints = endpoints;
    this.tls = tls;
    this.credentials = credentials;
  }

  /**
   * etcdctl of {@code version} against plain-http members this fixture did not start (one a restore or a
   * Salt-rendered manifest made), anonymously.
   */
  public static Etcdctl plain(EtcdVersion version, URI... endpoints) {
    return new Etcdctl(version, List.of(endpoints), null, null);
  }

  /** The same as {@code credentials} ("USER:PASSWORD"), for a member with authentication on. */
  public static Etcdctl plain(EtcdVersion version, URI endpoint, String credentials) {
    return new Etcdctl(version, List.of(endpoint), null, credentials);
  }

  public ProcessResult run(String... args) {
    return execute("60s", args);
  }

  /**
   * Runs a command expected to fail, with short timeouts: etcdctl retries an unreachable or refusing member until
   * its command timeout runs out.
   */
  public ProcessResult probe(String... args) {
    return execute("2s", args);
  }

  private ProcessResult execute(String commandTimeout, String... args) {
    List<String> command = new ArrayList<>(List.of(version.binary("etcdctl").toString(),
        "--endpoints=" + endpoints.stream().map(URI::toString).collect(Collectors.joining(",")),
        "--dial-timeout=2s", "--command-timeout=" + commandTimeout));
    if (tls != null) {
      command.addAll(List.of("--cacert=" + tls.caCert(), "--cert=" + tls.clientCert(), "--key=" + tls.clientKey()));
    }
    if (credentials != null) {
      command.add("--user=" + credentials);
    }
    command.addAll(List.of(args));
    return Processes.run(command, TIMEOUT);
  }

  /** As {@link #awaitHealthy(Duration, BooleanSupplier, Supplier)}, for a member the caller holds no process of. */
  public void awaitHealthy(Duration timeout) {
    awaitHealthy(timeout, () -> true, () -> "");
  }

  /**
   * Waits until every endpoint answers {@code endpoint health}: a member that is starting, or waiting for the peers
   * of its quorum. Fails after {@code timeout} with the last answer, and at once when {@code running} turns false,
   * since a member that exited will not come back; either way with what {@code log} then holds. A member that
   * exited because another process took its port fails with {@link PortTakenException}, so that the fixture that
   * started it can try fresh ports.
   */
  public void awaitHealthy(Duration timeout, BooleanSupplier running, Supplier<String> log) {
    Instant deadline = Instant.now().plus(timeout);
    ProcessResult health;
    while ((health = probe("endpoint", "health")).exitCode() != 0) {
      if (!running.getAsBoolean()) {
        String words = log.get();
        if (words.contains("address already in use")) {
          throw new PortTakenException("etcd at " + endpoints + ": " + words);
        }
        throw new IllegalStateException("etcd at " + endpoints + " exited while starting:\n" + words);
      }
      if (Instant.now().isAfter(deadline)) {
        String words = log.get();
        throw new IllegalStateException("etcd at " + endpoints + " not healthy after " + timeout + ": " + health
            + (words.isEmpty() ? "" : "\n--- its log:\n" + words));
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for etcd", e);
    }
  }

  /** Runs a fixture step that must succeed, returning its stdout. */
  public String ok(String... args) {
    return run(args).orThrow().stdout();
  }

  /** The store revision, as the first endpoint reports it. */
  public long revision() {
    return firstStatus().path("header").path("revision").asLong();
  }

  /** The first endpoint's member ID in hex, the form etcd logs and snapshots.json use. */
  public String memberIdHex() {
    BigInteger id = firstStatus().path("header").path("member_id").bigIntegerValue();
    return id.toString(16);
  }

  /** The cluster ID in hex, as the first endpoint's status header reports it. */
  public String clusterIdHex() {
    return firstStatus().path("header").path("cluster_id").bigIntegerValue().toString(16);
  }

  /**
   * How many keys the cluster holds now: etcd reports the size of the whole range even when it returns only one
   * key (etcdctl 3.4 has no --count-only), and protobuf leaves out a count of zero.
   */
  public long keyCount() {
    return Json.parse(ok("get", "", "--from-key", "--keys-only", "--limit=1", "-w", "json")).path("count").asLong(0);
  }

  /** The first endpoint's hash of the keyspace at {@code revision}: equal on members that hold the same history. */
  public long hashKv(long revision) {
    return hashOf(ok("endpoint", "hashkv", "--rev=" + revision, "-w", "json"));
  }

  /** The revision the first endpoint was last compacted to; 0 if never. */
  public long compactRevision() {
    return Json.parse(ok("endpoint", "hashkv", "-w", "json")).get(0).path("HashKV").path("compact_revision").asLong();
  }

  /** The first endpoint's hash in the output of {@code endpoint hashkv -w json}. */
  public static long hashOf(String hashKvJson) {
    return Json.parse(hashKvJson).get(0).path("HashKV").path("hash").asLong();
  }

  public void saveSnapshot(Path file) {
    ok("snapshot", "save", file.toString());
  }

  private JsonNode firstStatus() {
    return Json.parse(ok("endpoint", "status", "-w", "json")).get(0).path("Status");
  }
}
