package io.etcdsnapshotter.e2e.salt;

import static io.etcdsnapshotter.e2e.salt.ThreeMasters.dataDir;
import static io.etcdsnapshotter.e2e.salt.ThreeMasters.deleteTree;
import static io.etcdsnapshotter.e2e.salt.ThreeMasters.manifest;
import static io.etcdsnapshotter.e2e.salt.ThreeMasters.setAside;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Json;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Automatic recovery on the three {@link ThreeMasters}: a real salt-minion daemon per master runs the schedule that
 * kubernetes.etcd.recovery-schedule installs, and replaces exactly the member whose data dir was deleted, after the
 * configured number of failed looks; a member down for fewer looks is left alone; without quorum nothing is stopped
 * or moved, and the Salt event and the log line name the restore to run.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(value = EtcdVersion.class, names = {"V3_5", "V3_6"})
@ResourceLock(ThreeMasters.LOCK)
class EtcdMemberRecoveredTest {
  private static final String LOOK = "kubernetes.etcd.member-recovered";
  private static final String SCHEDULE = "kubernetes.etcd.recovery-schedule";
  /** main alone, so each look runs one JVM: the three daemons share the machine with the etcd members. */
  private static final String MAIN_ONLY = "  clusters: [main]\n";
  private static final String RECOVERY = "etcd_recovery: {enabled: true, interval_seconds: 10, failures: 2}\n";
  /** Looks every 10 s, two of them, then the replacement: far more than that is a recovery that did not happen. */
  private static final Duration RECOVERED = Duration.ofMinutes(5);

  @Parameter EtcdVersion version;
  @TempDir Path root;
  private ThreeMasters masters;
  private final List<AutoCloseable> daemons = new ArrayList<>();

  @AfterEach
  void stopEverything() throws Exception {
    for (AutoCloseable daemon : daemons) {
      daemon.close();
    }
    if (masters != null) {
      masters.close();
    }
  }

  @Test
  void theScheduleReplacesExactlyTheMemberWhoseDataDirWasDeletedWithEveryKeyAndHashAlike() throws Exception {
    masters = ThreeMasters.start(version, root, MAIN_ONLY, RECOVERY);
    masters.seed("main", 200);
    Map<String, String> before = ids();
    for (Master master : masters.all()) {
      SaltMinion minion = SaltMinion.start(master.salt(), master.pillar());
      daemons.add(minion);
      StateRun installed = master.salt().apply(SCHEDULE, master.pillar());
      assertThat(installed.succeeded()).as("%s", installed).isTrue();
      assertThat(installed.changed()).as("%s", installed).extracting(StateRun.State::id)
          .containsExactly("etcd-recovery-schedule");
    }
    Master three = masters.get(2);

    deleteTree(dataDir(three, "main"));

    Polling.await("master-3's member replaced, promoted and the lock released", RECOVERED,
        () -> answeringId(three).filter(id -> !id.equals(before.get("master-3"))).isPresent()
            && masters.etcdctl("main").run("get", "/etcd-snapshotter/", "--prefix").stdout().isBlank()
            && noLearner(),
        () -> "members " + ids() + "\nmaster-3's minion log:\n" + ((SaltMinion) daemons.get(2)).log());
    Map<String, String> after = ids();
    assertThat(after.keySet()).containsExactlyInAnyOrder("master-1", "master-2", "master-3");
    assertThat(after.get("master-1")).isEqualTo(before.get("master-1"));
    assertThat(after.get("master-2")).isEqualTo(before.get("master-2"));
    assertThat(masters.keyValues(three, "main")).isEqualTo(masters.keyValues(masters.get(0), "main"));
    masters.assertHashesAlike("main");
    assertThat(dataDir(three, "main").resolve(".etcd-snapshotter-replaced")).as("the new data dir").isRegularFile();
    for (Master master : masters.all()) {
      assertThat(setAside(master)).as("a deleted data dir leaves nothing to move aside").isEmpty();
    }
    assertThat(((SaltMinion) daemons.get(2)).log()).as("the first look waited")
        .contains("cluster main: master-3 failed 1 successive look since", "is missing); it is replaced after 2");
  }

  @Test
  void aMemberDownForFewerLooksThanItTakesIsLeftAloneAndAHealthyLookStartsTheCountAgain() throws Exception {
    masters = ThreeMasters.start(version, root, MAIN_ONLY, RECOVERY);
    Master three = masters.get(2);
    String id = masters.memberId(three, "main");
    Path record = three.salt().path("salt/cache/etcd-snapshotter/recovery/main.json");

    masters.stop(three, "main");
    StateRun firstDown = three.salt().apply(LOOK, three.pillar());
    String recordMode = PosixFilePermissions.toString(Files.getPosixFilePermissions(record));
    masters.restart(three, "main");
    StateRun up = three.salt().apply(LOOK, three.pillar());
    boolean recordLeft = Files.exists(record);
    masters.stop(three, "main");
    StateRun secondDown = three.salt().apply(LOOK, three.pillar());
    masters.restart(three, "main");

    for (StateRun down : List.of(firstDown, secondDown)) {
      assertThat(down.succeeded()).as("%s", down).isTrue();
      assertThat(down.changed()).as("%s", down).isEmpty();
      assertThat(pending(down)).contains("master-3 failed 1 successive look since", "unreachable",
          "it is replaced after 2");
    }
    assertThat(recordMode).isEqualTo("rw-------");
    assertThat(pending(up)).contains("master-3 does not fail (healthy", "nothing to do");
    assertThat(recordLeft).as("a healthy look forgets the count").isFalse();
    assertThat(masters.memberId(three, "main")).isEqualTo(id);
    assertThat(masters.voters("main")).containsExactlyInAnyOrder("master-1", "master-2", "master-3");
    assertThat(setAside(three)).isEmpty();
  }

  @Test
  void withoutQuorumNothingIsStoppedOrMovedAndTheEventAndTheLogNameTheRestoreOnce() throws Exception {
    masters = ThreeMasters.start(version, root, MAIN_ONLY, RECOVERY);
    Map<String, String> before = ids();
    Master one = masters.get(0);
    SaltMinion minion = SaltMinion.start(one.salt(), one.pillar());
    daemons.add(minion);
    SaltEvents events = SaltEvents.listen(one.salt(), "etcd-snapshotter/");
    daemons.add(events);
    masters.stop(masters.get(1), "main");
    masters.stop(masters.get(2), "main");
    Path record = one.salt().path("salt/cache/etcd-snapshotter/recovery/main.json");

    StateRun installed = one.salt().apply(SCHEDULE, one.pillar());

    assertThat(installed.succeeded()).as("%s", installed).isTrue();
    Polling.await("the event, and a look after the one that sent it", RECOVERED,
        () -> looks(record) >= 3 && !events.received().isEmpty(),
        () -> "events " + events.received() + "\nminion log:\n" + minion.log());
    minion.close();
    List<JsonNode> received = events.received();
    assertThat(received).as("sent once, at the second look").singleElement().satisfies(event -> {
      assertThat(event.path("tag").asText()).isEqualTo("etcd-snapshotter/etcd/quorum-lost");
      assertThat(event.path("data").path("cluster").asText()).isEqualTo("main");
      assertThat(event.path("data").path("minion").asText()).isEqualTo("master-1");
      assertThat(event.path("data").path("restore").asText()).isEqualTo("kubernetes.etcd.cluster-restored");
      assertThat(event.path("data").path("restore_when_quorum_lost").asBoolean(true)).isFalse();
    });
    assertThat(minion.log()).contains("cluster main: no quorum for 2 successive looks since",
        "restores nothing by itself", "salt-run state.orchestrate kubernetes.etcd.cluster-restored");
    assertThat(manifest(one, "main")).as("master-1's etcd runs on").isRegularFile();
    assertThat(dataDir(one, "main").resolve("member/snap/db")).isRegularFile();
    assertThat(setAside(one)).isEmpty();

    masters.restart(masters.get(1), "main");
    masters.restart(masters.get(2), "main");
    assertThat(ids()).as("no member was removed or added").isEqualTo(before);
  }

  private Map<String, String> ids() {
    return masters.idsByName("main");
  }

  /** How many successive looks the record counts; 0 without one. */
  private static int looks(Path record) {
    try {
      return Json.parse(Files.readString(record)).path("looks").asInt();
    } catch (IOException e) {
      return 0;
    }
  }

  /** The ID of master's member while it answers, else empty (stopped, or still starting). */
  private Optional<String> answeringId(Master master) {
    ProcessResult status = master.etcdctl(version, "main").probe("endpoint", "status", "-w", "json");
    if (status.exitCode() != 0) {
      return Optional.empty();
    }
    return Optional.of(Json.parse(status.stdout()).path(0).path("Status").path("header").path("member_id")
        .bigIntegerValue().toString(16));
  }

  private boolean noLearner() {
    JsonNode list = Json.parse(masters.etcdctl("main").ok("member", "list", "-w", "json"));
    for (JsonNode member : list.path("members")) {
      if (member.path("isLearner").asBoolean() || member.path("name").asText().isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private static String pending(StateRun run) {
    return run.states().stream().filter(s -> s.id().equals("etcd-replace-main-pending")).findFirst()
        .map(StateRun.State::comment).orElseThrow(() -> new AssertionError("no pending state: " + run));
  }
}
