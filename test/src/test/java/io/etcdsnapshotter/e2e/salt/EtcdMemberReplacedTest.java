package io.etcdsnapshotter.e2e.salt;

import static io.etcdsnapshotter.e2e.salt.ThreeMasters.dataDir;
import static io.etcdsnapshotter.e2e.salt.ThreeMasters.deleteTree;
import static io.etcdsnapshotter.e2e.salt.ThreeMasters.manifest;
import static io.etcdsnapshotter.e2e.salt.ThreeMasters.setAside;
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
import org.junit.jupiter.api.parallel.ResourceLock;
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
@ResourceLock(ThreeMasters.LOCK)
class EtcdMemberReplacedTest {
  private static final String REPLACE = "kubernetes.etcd.member-replaced";
  private static final List<String> CLUSTERS = ThreeMasters.CLUSTERS;
  private static final String LOCK = "/etcd-snapshotter/";

  @Parameter EtcdVersion version;
  @TempDir Path root;
  private ThreeMasters masters;

  @AfterEach
  void stopMasters() throws InterruptedException {
    if (masters != null) {
      masters.close();
    }
  }

  @Test
  void aDeletedDataDirAndADownMemberAreReplacedWithEveryKeyAndHashAlikeAndASecondApplyChangesNothing()
      throws Exception {
    masters = ThreeMasters.start(version, root, "", "");
    masters.seed("main", 200);
    masters.seed("events", 50);
    Master three = masters.get(2);
    Map<String, String> oldIds = Map.of("main", masters.memberId(three, "main"), "events",
        masters.memberId(three, "events"));
    deleteTree(dataDir(three, "main"));
    masters.stop(three, "events");

    StateRun preview = three.salt().apply(REPLACE, three.pillar(), Map.of(), "test=True");
    assertThat(preview.states()).as("%s", preview).filteredOn(s -> s.id().endsWith("-pending"))
        .extracting(StateRun.State::comment).satisfiesExactlyInAnyOrder(
            main -> assertThat(main).contains("master-3 needs replacing", "data dir", "is missing"),
            events -> assertThat(events).contains("master-3 needs replacing", "unreachable"));
    for (String cluster : CLUSTERS) {
      assertThat(masters.memberIds(cluster)).as("test=True removes nothing").contains(oldIds.get(cluster));
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
      assertThat(masters.voters(cluster)).as("%s members", cluster).containsExactlyInAnyOrder("master-1", "master-2",
          "master-3");
      assertThat(masters.memberId(three, cluster)).as("a new member").isNotEqualTo(oldIds.get(cluster));
      assertThat(masters.keyValues(three, cluster)).as("%s keys of master-3", cluster)
          .isEqualTo(masters.keyValues(masters.get(0), cluster));
      masters.assertHashesAlike(cluster);
      assertThat(Files.readString(manifest(three, cluster))).contains("--initial-cluster-state=existing");
    }
    assertThat(setAside(three)).singleElement().asString().startsWith("data-events.before-replace-");
    assertThat(three.salt().path("var/etcd").resolve(setAside(three).get(0)).resolve("member/snap/db"))
        .as("the down member's data, moved aside, never deleted").isRegularFile();
    ProcessResult check = Jar.run("check", "--cluster", "main=" + masters.endpoints("main"),
        "--cluster", "events=" + masters.endpoints("events"));
    assertThat(check.exitCode()).as("%s", check).isZero();
    for (String cluster : CLUSTERS) {
      assertThat(masters.etcdctl(cluster).ok("get", LOCK, "--prefix")).as("%s lock released", cluster).isBlank();
    }

    for (Master master : masters.all()) {
      StateRun again = master.salt().apply(REPLACE, master.pillar());
      assertThat(again.succeeded()).as("%s", again).isTrue();
      assertThat(again.changed()).as("%s", again).isEmpty();
    }
    StateRun configured = three.salt().apply("kubernetes.etcd.configured", three.pillar());
    assertThat(configured.changed()).as("configured renders the manifest the replacement wrote: %s", configured)
        .isEmpty();
  }

  @Test
  void aSecondReplacementIsRefusedNamingTheHolderBeforeAnythingStopsAndGoesOnOnceTheFirstCaughtUp()
      throws Exception {
    masters = ThreeMasters.start(version, root, "", "");
    masters.seed("main", 100);
    Master two = masters.get(1);
    Master three = masters.get(2);
    String twoId = masters.memberId(two, "main");
    deleteTree(dataDir(three, "main"));
    deleteTree(dataDir(two, "main"));

    // master-3's replacement has begun: its first step took the lock, as the state's pending step does.
    ProcessResult first = Jar.run("member-replace", "plan", "--cluster", "main=" + masters.endpoints("main"),
        "--name", three.name(), "--peer-urls", masters.peerUrl(three, "main"), "--data-dir",
        dataDir(three, "main").toString(), "--lock-ttl", "10m");
    StateRun refused = two.salt().apply(REPLACE, two.pillar());

    assertThat(first.exitCode()).as("%s", first).isEqualTo(3);
    assertThat(first.stdout()).contains("took the replacement lock /etcd-snapshotter/member-replace/lock for 600 s");
    assertThat(refused.exitCode()).as("%s", refused).isNotZero();
    assertThat(refused.states()).as("%s", refused).filteredOn(s -> s.id().equals("etcd-replace-main-pending"))
        .singleElement().satisfies(pending -> assertThat(pending.comment()).doesNotContain("\n")
            .contains("another replacement is under way: master-3 (host ", "until its lease expires in ",
                "nothing was stopped"));
    assertThat(refused.changed()).as("%s", refused).isEmpty();
    assertThat(manifest(two, "main")).as("master-2's etcd runs on").isRegularFile();
    assertThat(setAside(two)).isEmpty();
    assertThat(masters.memberId(two, "main")).isEqualTo(twoId);

    StateRun threeReplaced = three.salt().apply(REPLACE, three.pillar());
    assertThat(threeReplaced.succeeded()).as("the same member takes its lock again: %s", threeReplaced).isTrue();
    assertThat(masters.etcdctl("main").ok("get", LOCK, "--prefix")).as("released once caught up").isBlank();
    StateRun twoReplaced = two.salt().apply(REPLACE, two.pillar());

    assertThat(twoReplaced.succeeded()).as("%s", twoReplaced).isTrue();
    assertThat(masters.voters("main")).containsExactlyInAnyOrder("master-1", "master-2", "master-3");
    assertThat(masters.memberId(two, "main")).isNotEqualTo(twoId);
    assertThat(masters.keyValues(two, "main")).isEqualTo(masters.keyValues(masters.get(0), "main"));
    masters.assertHashesAlike("main");
  }

  @Test
  void writesRunningThroughoutLoseNoAcknowledgedWrite() throws Exception {
    masters = ThreeMasters.start(version, root, "", "");
    Master three = masters.get(2);
    try (Writer writer = new Writer(masters.get(0).clientUrl("main"), masters.get(1).clientUrl("main"))) {
      Polling.await("writes before the replacement", Duration.ofSeconds(30), () -> writer.acknowledged() >= 50,
          writer::toString);
      deleteTree(dataDir(three, "main"));
      int before = writer.acknowledged();

      StateRun replaced = three.salt().apply(REPLACE, three.pillar());

      assertThat(replaced.succeeded()).as("%s", replaced).isTrue();
      assertThat(writer.acknowledged() - before).as("writes acknowledged while it ran").isGreaterThan(20);
      Thread.sleep(1000);
      writer.stop();
      masters.awaitSameRevision("main");
      assertThat(masters.values(three, "main")).as("every acknowledged write, read from the new member; %s", writer)
          .containsAllEntriesOf(writer.written());
      masters.assertHashesAlike("main");
    }
  }

  @Test
  void withoutQuorumItRefusesNamingWhyAndChangesNothingAndCheckExits2() throws Exception {
    masters = ThreeMasters.start(version, root, "", "");
    Master one = masters.get(0);
    Master two = masters.get(1);
    Master three = masters.get(2);
    String threeId = masters.memberId(three, "main");
    masters.stop(two, "main");
    masters.stop(three, "main");
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
    ProcessResult check = Jar.run("check", "--cluster", "main=" + masters.endpoints("main"));
    assertThat(check.exitCode()).as("%s", check).isEqualTo(2);
    assertThat(Jar.messages(check)).singleElement().asString().contains("cluster main: quorum lost");

    masters.restart(two, "main");
    assertThat(masters.voters("main")).as("still every member").containsExactlyInAnyOrder("master-1", "master-2",
        "master-3");
    assertThat(masters.memberIds("main")).as("master-3 was not removed").contains(threeId);
  }

  @Test
  void withNoWayToTheOtherMembersItFailsNamingBothAndStopsNothing() throws Exception {
    Master three = Master.onLoopback(root, version.release(), ThreeMasters.COUNT)[2];

    StateRun run = three.salt().apply(REPLACE, three.pillar());

    assertThat(run.exitCode()).as("%s", run).isNotZero();
    assertThat(run.failures()).as("%s", run).singleElement().asString()
        .contains("etcd serves clients on 127.0.0.1 alone", "etcd:client_on_address", "etcd_replace:endpoints:main",
            "nothing was stopped");
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
          ThreeMasters.put(client, key, value);
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
