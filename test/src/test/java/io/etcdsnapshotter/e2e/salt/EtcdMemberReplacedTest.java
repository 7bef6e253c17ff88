package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Etcdctl;
import io.etcdsnapshotter.e2e.etcd.Json;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessResult;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * kubernetes.etcd.member-replaced on the three {@link Master}s on loopback, etcd main and events run from the manifests
 * of kubernetes.etcd.configured (a {@link Kubelet} per master): a member whose data dir was deleted, or that is down,
 * comes back as a fresh member that caught up from the others (every key and HashKV alike, no acknowledged write lost
 * while it ran); without quorum it refuses, naming why, and changes nothing; a healthy member is left alone.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(value = EtcdVersion.class, names = {"V3_5", "V3_6"})
class EtcdMemberReplacedTest {
  private static final String REPLACE = "kubernetes.etcd.member-replaced";
  private static final List<String> CLUSTERS = List.of("main", "events");
  private static final int MASTERS = 3;
  /** How long a member the kubelet (re)started may take to answer. */
  private static final Duration STARTUP = Duration.ofSeconds(60);

  @Parameter EtcdVersion version;
  @TempDir Path root;
  private Master[] masters;
  private final List<Kubelet> kubelets = new ArrayList<>();

  @AfterEach
  void stopMasters() throws InterruptedException {
    for (Kubelet kubelet : kubelets) {
      kubelet.close();
    }
  }

  @Test
  void aDeletedDataDirAndADownMemberAreReplacedWithEveryKeyAndHashAlikeAndASecondApplyChangesNothing()
      throws Exception {
    startMasters();
    seed("main", 200);
    seed("events", 50);
    Master three = masters[2];
    Map<String, String> oldIds = Map.of("main", memberId(three, "main"), "events", memberId(three, "events"));
    deleteTree(dataDir(three, "main"));
    stop(three, "events");

    StateRun preview = three.salt().apply(REPLACE, three.pillar(), Map.of(), "test=True");
    assertThat(preview.states()).as("%s", preview).filteredOn(s -> s.id().endsWith("-pending"))
        .extracting(StateRun.State::comment).satisfiesExactlyInAnyOrder(
            main -> assertThat(main).contains("master-3 needs replacing", "data dir", "is missing"),
            events -> assertThat(events).contains("master-3 needs replacing", "unreachable"));
    for (String cluster : CLUSTERS) {
      assertThat(memberIds(cluster)).as("test=True removes nothing").contains(oldIds.get(cluster));
    }
    StateRun replaced = three.salt().apply(REPLACE, three.pillar());

    assertThat(replaced.succeeded()).as("%s", replaced).isTrue();
    assertThat(replaced.changed()).as("%s", replaced).extracting(StateRun.State::id)
        .contains("etcd-replace-main-remove", "etcd-replace-main-add", "etcd-replace-main-caught-up",
            "etcd-replace-events-set-aside", "etcd-replace-events-caught-up");
    assertThat(replaced.states()).filteredOn(s -> s.id().endsWith("-caught-up")).hasSize(2)
        .allSatisfy(caughtUp -> assertThat(String.valueOf(caughtUp.changes().get("stdout")))
            .contains("master-3 caught up in", "all 3 members hash alike"));
    for (String cluster : CLUSTERS) {
      assertThat(voters(cluster)).as("%s members", cluster).containsExactlyInAnyOrder("master-1", "master-2",
          "master-3");
      assertThat(memberId(three, cluster)).as("a new member").isNotEqualTo(oldIds.get(cluster));
      assertThat(keyValues(three, cluster)).as("%s keys of master-3", cluster)
          .isEqualTo(keyValues(masters[0], cluster));
      assertHashesAlike(cluster);
      assertThat(Files.readString(manifest(three, cluster))).contains("--initial-cluster-state=existing");
    }
    assertThat(setAside(three)).singleElement().asString().startsWith("data-events.before-replace-");
    assertThat(three.salt().path("var/etcd").resolve(setAside(three).get(0)).resolve("member/snap/db"))
        .as("the down member's data, moved aside, never deleted").isRegularFile();
    ProcessResult check = Jar.run("check", "--cluster", "main=" + endpoints("main"),
        "--cluster", "events=" + endpoints("events"));
    assertThat(check.exitCode()).as("%s", check).isZero();

    for (Master master : masters) {
      StateRun again = master.salt().apply(REPLACE, master.pillar());
      assertThat(again.succeeded()).as("%s", again).isTrue();
      assertThat(again.changed()).as("%s", again).isEmpty();
    }
    StateRun configured = three.salt().apply("kubernetes.etcd.configured", three.pillar());
    assertThat(configured.changed()).as("configured renders the manifest the replacement wrote: %s", configured)
        .isEmpty();
  }

  @Test
  void writesRunningThroughoutLoseNoAcknowledgedWrite() throws Exception {
    startMasters();
    Master three = masters[2];
    try (Writer writer = new Writer(masters[0].clientUrl("main"), masters[1].clientUrl("main"))) {
      Polling.await("writes before the replacement", Duration.ofSeconds(30), () -> writer.acknowledged() >= 50,
          writer::toString);
      deleteTree(dataDir(three, "main"));
      int before = writer.acknowledged();

      StateRun replaced = three.salt().apply(REPLACE, three.pillar());

      assertThat(replaced.succeeded()).as("%s", replaced).isTrue();
      assertThat(writer.acknowledged() - before).as("writes acknowledged while it ran").isGreaterThan(20);
      Thread.sleep(1000);
      writer.stop();
      awaitSameRevision("main");
      assertThat(values(three, "main")).as("every acknowledged write, read from the new member; %s", writer)
          .containsAllEntriesOf(writer.written());
      assertHashesAlike("main");
    }
  }

  @Test
  void withoutQuorumItRefusesNamingWhyAndChangesNothingAndCheckExits2() throws Exception {
    startMasters();
    Master one = masters[0];
    Master two = masters[1];
    Master three = masters[2];
    String threeId = memberId(three, "main");
    stop(two, "main");
    stop(three, "main");
    deleteTree(dataDir(three, "main"));

    StateRun onThree = three.salt().apply(REPLACE, three.pillar());
    StateRun onOne = one.salt().apply(REPLACE, one.pillar());

    for (StateRun refused : List.of(onThree, onOne)) {
      assertThat(refused.exitCode()).as("%s", refused).isNotZero();
      assertThat(refused.states()).as("%s", refused).filteredOn(s -> s.id().equals("etcd-replace-main-pending"))
          .singleElement().satisfies(pending -> assertThat(pending.comment())
              .contains("would lose quorum", "0 of the other 2 voters are healthy", "master-2: unreachable"));
      assertThat(refused.changed()).as("%s", refused).isEmpty();
    }
    assertThat(manifest(one, "main")).as("master-1's etcd keeps running").isRegularFile();
    assertThat(dataDir(one, "main").resolve("member/snap/db")).isRegularFile();
    assertThat(setAside(three)).isEmpty();
    ProcessResult check = Jar.run("check", "--cluster", "main=" + endpoints("main"));
    assertThat(check.exitCode()).as("%s", check).isEqualTo(2);
    assertThat(Jar.messages(check)).singleElement().asString().contains("cluster main: quorum lost");

    Files.move(root.resolve("away").resolve(two.name() + "-main.manifest"), manifest(two, "main"));
    two.etcdctl(version, "main").awaitHealthy(STARTUP);
    assertThat(voters("main")).as("still every member").containsExactlyInAnyOrder("master-1", "master-2", "master-3");
    assertThat(memberIds("main")).as("master-3 was not removed").contains(threeId);
  }

  @Test
  void withNoWayToTheOtherMembersItFailsNamingBothAndStopsNothing() throws Exception {
    Master three = Master.onLoopback(root, version.release(), MASTERS)[2];

    StateRun run = three.salt().apply(REPLACE, three.pillar());

    assertThat(run.exitCode()).as("%s", run).isNotZero();
    assertThat(run.failures()).as("%s", run).singleElement().asString()
        .contains("etcd serves clients on 127.0.0.1 alone", "etcd:client_on_address", "etcd_replace:endpoints:main",
            "nothing was stopped");
  }

  /**
   * Three masters whose pillar lists the other masters' client URLs (etcd_replace:endpoints: on loopback each member
   * has a port of its own), configured, their manifests run, every member healthy.
   */
  private void startMasters() throws Exception {
    Master[] plain = Master.onLoopback(root, version.release(), MASTERS);
    masters = new Master[MASTERS];
    for (int i = 0; i < MASTERS; i++) {
      Master master = plain[i];
      String endpoints = "etcd_replace:\n  endpoints:\n" + CLUSTERS.stream()
          .map(cluster -> "    " + cluster + ": " + others(plain, master, cluster) + "\n").collect(Collectors.joining());
      masters[i] = new Master(master.name(), master.salt(), master.pillar() + endpoints, master.mainUrl(),
          master.eventsUrl());
    }
    for (Master master : masters) {
      StateRun configured = master.salt().apply("kubernetes.etcd.configured", master.pillar());
      assertThat(configured.succeeded()).as("%s", configured).isTrue();
      kubelets.add(new Kubelet(master.salt().path("etc/kubernetes/manifests"), version, master.salt().root()));
    }
    for (Master master : masters) {
      for (String cluster : CLUSTERS) {
        master.etcdctl(version, cluster).awaitHealthy(STARTUP);
      }
    }
  }

  private static String others(Master[] all, Master self, String cluster) {
    return Stream.of(all).filter(master -> master != self).map(master -> master.clientUrl(cluster).toString())
        .collect(Collectors.joining(", ", "[", "]"));
  }

  private static Path manifest(Master master, String cluster) {
    return master.salt().path("etc/kubernetes/manifests/" + ("main".equals(cluster) ? "etcd" : "etcd-events")
        + ".manifest");
  }

  private static Path dataDir(Master master, String cluster) {
    return master.salt().path("var/etcd/" + ("main".equals(cluster) ? "data" : "data-events"));
  }

  /** Every member's client URL of {@code cluster}, comma-separated: the jar's endpoint list. */
  private String endpoints(String cluster) {
    return Stream.of(masters).map(master -> master.clientUrl(cluster).toString()).collect(Collectors.joining(","));
  }

  /** etcdctl against every member of {@code cluster}. */
  private Etcdctl etcdctl(String cluster) {
    return Etcdctl.plain(version, Stream.of(masters).map(master -> master.clientUrl(cluster)).toArray(URI[]::new));
  }

  /** Puts {@code count} keys, overwrites and deletes some, and compacts: history a new member must match. */
  private void seed(String cluster, int count) throws Exception {
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

  private static void put(Client client, String key, String value) throws Exception {
    client.getKVClient().put(bytes(key), bytes(value)).get(10, TimeUnit.SECONDS);
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  /** Parks the member's manifest out of the kubelet's directory, and waits until the member no longer answers. */
  private void stop(Master master, String cluster) throws IOException {
    Files.move(manifest(master, cluster), Files.createDirectories(root.resolve("away"))
        .resolve(master.name() + "-" + cluster + ".manifest"));
    Polling.await(master.name() + "'s " + cluster + " member stopped", Duration.ofSeconds(30),
        () -> master.etcdctl(version, cluster).probe("endpoint", "health").exitCode() != 0, () -> "");
  }

  private String memberId(Master master, String cluster) {
    return master.etcdctl(version, cluster).memberIdHex();
  }

  private List<JsonNode> members(String cluster) {
    JsonNode list = Json.parse(etcdctl(cluster).ok("member", "list", "-w", "json"));
    return StreamSupport.stream(list.path("members").spliterator(), false).toList();
  }

  /** The names of the cluster's voters, failing on any learner. */
  private List<String> voters(String cluster) {
    List<JsonNode> members = members(cluster);
    assertThat(members).noneMatch(member -> member.path("isLearner").asBoolean());
    return members.stream().map(member -> member.path("name").asText()).toList();
  }

  private List<String> memberIds(String cluster) {
    return members(cluster).stream().map(member -> member.path("ID").bigIntegerValue().toString(16)).toList();
  }

  /** Every key with its value and revisions, as the member itself holds them (a serializable read). */
  private JsonNode keyValues(Master master, String cluster) {
    return Json.parse(master.etcdctl(version, cluster).ok("--consistency=s", "get", "", "--prefix", "-w", "json"))
        .path("kvs");
  }

  private Map<String, String> values(Master master, String cluster) {
    return StreamSupport.stream(keyValues(master, cluster).spliterator(), false).collect(Collectors.toMap(
        kv -> decode(kv.path("key").asText()), kv -> decode(kv.path("value").asText())));
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  /** Every member's HashKV at the revision all of them have applied. */
  private void assertHashesAlike(String cluster) {
    long revision = awaitSameRevision(cluster);
    Set<Long> hashes = Stream.of(masters).map(master -> master.etcdctl(version, cluster).hashKv(revision))
        .collect(Collectors.toSet());
    assertThat(hashes).as("%s HashKV of the %d members at revision %d", cluster, MASTERS, revision).hasSize(1);
  }

  private long awaitSameRevision(String cluster) {
    long[] revision = new long[1];
    Polling.await(cluster + " members at one revision", Duration.ofSeconds(30), () -> {
      Set<Long> revisions = Stream.of(masters).map(master -> master.etcdctl(version, cluster).revision())
          .collect(Collectors.toSet());
      revision[0] = revisions.iterator().next();
      return revisions.size() == 1;
    }, () -> "");
    return revision[0];
  }

  private static List<String> setAside(Master master) throws IOException {
    try (Stream<Path> dirs = Files.list(master.salt().path("var/etcd"))) {
      return dirs.map(dir -> dir.getFileName().toString()).filter(name -> name.contains(".before-replace-")).toList();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
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

  /** Puts numbered keys through the members it is given, one after the other, keeping each acknowledged one. */
  private static final class Writer implements AutoCloseable {
    private final Client client;
    private final Map<String, String> written = new ConcurrentHashMap<>();
    private final AtomicInteger failures = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile String lastFailure = "";

    Writer(URI... endpoints) {
      client = Client.builder().endpoints(endpoints).build();
      thread = new Thread(this::write, "writer");
      thread.start();
    }

    private void write() {
      for (int i = 0; running; i++) {
        String key = "/registry/writes/" + i;
        String value = "write " + i;
        try {
          put(client, key, value);
          written.put(key, value);
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          failures.incrementAndGet();
          lastFailure = e.toString();
        }
      }
    }

    int acknowledged() {
      return written.size();
    }

    Map<String, String> written() {
      return Map.copyOf(written);
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(30_000);
    }

    @Override
    public void close() throws InterruptedException {
      stop();
      client.close();
    }

    @Override
    public String toString() {
      return written.size() + " writes acknowledged, " + failures.get() + " failed (last: " + lastFailure + ")";
    }
  }
}
