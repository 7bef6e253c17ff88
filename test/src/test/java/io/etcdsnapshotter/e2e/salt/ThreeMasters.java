package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Etcdctl;
import io.etcdsnapshotter.e2e.etcd.Json;
import io.etcdsnapshotter.e2e.process.Polling;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The three {@link Master}s on loopback with etcd main and events run from the manifests of
 * kubernetes.etcd.configured (a {@link Kubelet} per master), each master's pillar listing the other masters' client
 * URLs (etcd_replace:endpoints: on loopback each member has a port of its own): what member replacement and automatic
 * recovery act on, and how tests look at the members. Closing it stops every member.
 */
final class ThreeMasters implements AutoCloseable {
  static final List<String> CLUSTERS = List.of("main", "events");
  static final int COUNT = 3;
  /** How long a member the kubelet (re)started may take to answer. */
  static final Duration STARTUP = Duration.ofSeconds(60);
  /**
   * Held by every test class that runs three masters (six etcd members and three salt-calls at a time): two such
   * classes side by side would ask more of two cores than the members' start-up allows.
   */
  static final String LOCK = "three masters";

  private final EtcdVersion version;
  private final Path root;
  private final Master[] masters;
  private final List<Kubelet> kubelets = new ArrayList<>();

  private ThreeMasters(EtcdVersion version, Path root, Master[] masters) {
    this.version = version;
    this.root = root;
    this.masters = masters;
  }

  /**
   * Configured with {@code replace} (lines indented under etcd_replace) and {@code pillar} (top-level keys) added to
   * each master's pillar, their manifests run, every member healthy.
   */
  static ThreeMasters start(EtcdVersion version, Path root, String replace, String pillar) throws Exception {
    Master[] plain = Master.onLoopback(root, version.release(), COUNT);
    Master[] masters = new Master[COUNT];
    for (int i = 0; i < COUNT; i++) {
      Master master = plain[i];
      String endpoints = "etcd_replace:\n  endpoints:\n" + CLUSTERS.stream()
          .map(cluster -> "    " + cluster + ": " + others(plain, master, cluster) + "\n").collect(Collectors.joining())
          + replace;
      masters[i] = new Master(master.name(), master.salt(), master.pillar() + endpoints + pillar, master.mainUrl(),
          master.eventsUrl());
    }
    ThreeMasters started = new ThreeMasters(version, root, masters);
    try {
      for (Master master : masters) {
        StateRun configured = master.salt().apply("kubernetes.etcd.configured", master.pillar());
        assertThat(configured.succeeded()).as("%s", configured).isTrue();
        started.kubelets.add(new Kubelet(master.salt().path("etc/kubernetes/manifests"), version,
            master.salt().root()));
      }
      for (Master master : masters) {
        for (String cluster : CLUSTERS) {
          master.etcdctl(version, cluster).awaitHealthy(STARTUP);
        }
      }
      return started;
    } catch (Exception | AssertionError e) {
      started.close();
      throw e;
    }
  }

  private static String others(Master[] all, Master self, String cluster) {
    return Stream.of(all).filter(master -> master != self).map(master -> master.clientUrl(cluster).toString())
        .collect(Collectors.joining(", ", "[", "]"));
  }

  Master get(int index) {
    return masters[index];
  }

  List<Master> all() {
    return List.of(masters);
  }

  static Path manifest(Master master, String cluster) {
    return master.salt().path("etc/kubernetes/manifests/" + ("main".equals(cluster) ? "etcd" : "etcd-events")
        + ".manifest");
  }

  static Path dataDir(Master master, String cluster) {
    return master.salt().path("var/etcd/" + ("main".equals(cluster) ? "data" : "data-events"));
  }

  /** Every member's client URL of {@code cluster}, comma-separated: the jar's endpoint list. */
  String endpoints(String cluster) {
    return Stream.of(masters).map(master -> master.clientUrl(cluster).toString()).collect(Collectors.joining(","));
  }

  /** etcdctl against every member of {@code cluster}. */
  Etcdctl etcdctl(String cluster) {
    return Etcdctl.plain(version, Stream.of(masters).map(master -> master.clientUrl(cluster)).toArray(URI[]::new));
  }

  /** Puts {@code count} keys, overwrites and deletes some, and compacts: history a new member must match. */
  void seed(String cluster, int count) throws Exception {
    try (Client client = Client.builder().endpoints(masters[0].clientUrl(cluster)).build()) {
      for (int i = 0; i < count; i++) {
        put(client, "/registry/seed/" + i, "value " + i);
      }
      for (int i = 0; i < count; i += 3) {
        put(client, "/registry/seed/" + i, "changed " + i);
      }
      long revision = 0;
      for (int i = 1; i < count; i += 5) {
        revision = client.getKVClient().delete(bytes("/registry/seed/" + i)).get(10, TimeUnit.SECONDS).getHeader()
            .getRevision();
      }
      client.getKVClient().compact(revision - 10).get(10, TimeUnit.SECONDS);
      put(client, "/registry/seed/after-compaction", "last");
    }
  }

  static void put(Client client, String key, String value) throws Exception {
    client.getKVClient().put(bytes(key), bytes(value)).get(10, TimeUnit.SECONDS);
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  /** Parks the member's manifest out of the kubelet's directory, and waits until the member no longer answers. */
  void stop(Master master, String cluster) throws IOException {
    Path away = Files.createDirectories(root.resolve("away"));
    Files.move(manifest(master, cluster), away.resolve(parked(master, cluster)));
    Polling.await(master.name() + "'s " + cluster + " member stopped", Duration.ofSeconds(30),
        () -> master.etcdctl(version, cluster).probe("endpoint", "health").exitCode() != 0, () -> "");
  }

  /** Puts the manifest {@link #stop} parked back, and waits until the member answers healthy. */
  void restart(Master master, String cluster) throws IOException {
    Files.move(root.resolve("away").resolve(parked(master, cluster)), manifest(master, cluster));
    master.etcdctl(version, cluster).awaitHealthy(STARTUP);
  }

  private static String parked(Master master, String cluster) {
    return master.name() + "-" + cluster + ".manifest";
  }

  String memberId(Master master, String cluster) {
    return master.etcdctl(version, cluster).memberIdHex();
  }

  private List<JsonNode> members(String cluster) {
    JsonNode list = Json.parse(etcdctl(cluster).ok("member", "list", "-w", "json"));
    return StreamSupport.stream(list.path("members").spliterator(), false).toList();
  }

  /** The peer URL the member list gives {@code master}'s member of {@code cluster}. */
  String peerUrl(Master master, String cluster) {
    return members(cluster).stream().filter(member -> member.path("name").asText().equals(master.name()))
        .map(member -> member.path("peerURLs").path(0).asText()).findFirst().orElseThrow();
  }

  /** The names of the cluster's voters, failing on any learner. */
  List<String> voters(String cluster) {
    List<JsonNode> members = members(cluster);
    assertThat(members).noneMatch(member -> member.path("isLearner").asBoolean());
    return members.stream().map(member -> member.path("name").asText()).toList();
  }

  /** Each member's hex ID by its name ("" for one added back but not started yet). */
  Map<String, String> idsByName(String cluster) {
    return members(cluster).stream().collect(Collectors.toMap(member -> member.path("name").asText(),
        member -> member.path("ID").bigIntegerValue().toString(16)));
  }

  List<String> memberIds(String cluster) {
    return members(cluster).stream().map(member -> member.path("ID").bigIntegerValue().toString(16)).toList();
  }

  /** Every key with its value and revisions, as the member itself holds them (a serializable read). */
  JsonNode keyValues(Master master, String cluster) {
    return Json.parse(master.etcdctl(version, cluster).ok("--consistency=s", "get", "", "--prefix", "-w", "json"))
        .path("kvs");
  }

  Map<String, String> values(Master master, String cluster) {
    return StreamSupport.stream(keyValues(master, cluster).spliterator(), false).collect(Collectors.toMap(
        kv -> decode(kv.path("key").asText()), kv -> decode(kv.path("value").asText())));
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  /** Every member's HashKV at the revision all of them have applied. */
  void assertHashesAlike(String cluster) {
    long revision = awaitSameRevision(cluster);
    Set<Long> hashes = Stream.of(masters).map(master -> master.etcdctl(version, cluster).hashKv(revision))
        .collect(Collectors.toSet());
    assertThat(hashes).as("%s HashKV of the %d members at revision %d", cluster, COUNT, revision).hasSize(1);
  }

  long awaitSameRevision(String cluster) {
    long[] revision = new long[1];
    Polling.await(cluster + " members at one revision", Duration.ofSeconds(30), () -> {
      Set<Long> revisions = Stream.of(masters).map(master -> master.etcdctl(version, cluster).revision())
          .collect(Collectors.toSet());
      revision[0] = revisions.iterator().next();
      return revisions.size() == 1;
    }, () -> "");
    return revision[0];
  }

  /** The data dirs member replacement moved aside on {@code master}. */
  static List<String> setAside(Master master) throws IOException {
    try (Stream<Path> dirs = Files.list(master.salt().path("var/etcd"))) {
      return dirs.map(dir -> dir.getFileName().toString()).filter(name -> name.contains(".before-replace-")).toList();
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(file -> {
        try {
          Files.delete(file);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (Kubelet kubelet : kubelets) {
      kubelet.close();
    }
  }
}
