package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Point-in-time restore through the Salt state: the jar's snapshot and journal commands fill the snapshot volume at
 * snapshot_dir from etcd main and events of a {@link OneMaster}, then kubernetes.etcd.restored with pillar
 * etcd_restore:to_revision restores main to a revision after its snapshot (events, given none, from its snapshot).
 */
@ResourceLock(ThreeMasters.LOCK)
class EtcdRestoredToARevisionTest {
  private static final String SLS = "kubernetes.etcd.restored";
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path root;
  private OneMaster master;

  @BeforeEach
  void masterWithEtcdRunning() throws Exception {
    master = OneMaster.start(root);
  }

  @AfterEach
  void stop() throws Exception {
    if (master != null) {
      master.close();
    }
  }

  @Test
  void restoresMainToTheRevisionThePillarNamesAndAgainChangesNothing() throws Exception {
    master.main.ok("put", "/registry/pods/default/kept", "from the snapshot");
    master.events.ok("put", "/registry/events/default/kept", "event");
    String volume = master.salt.path("mnt/etcd").toString();
    String[] clusters = {"--cluster", "main=" + master.mainUrl, "--cluster", "events=" + master.eventsUrl};
    ProcessResult saved = Jar.run(args(clusters, "snapshot", "--dir", volume));
    assertThat(saved.exitCode()).as("%s", saved).isZero();
    long target;
    try (RunningProcess journal = Jar.start(args(clusters, "journal", "--dir", volume, "--fsync-interval", "200ms"))) {
      Polling.await("the journal following both clusters", WAIT,
          () -> journal.stderr().split("following from revision", -1).length == 3, journal::stderr);
      master.main.ok("put", "/registry/pods/default/journalled", "after the snapshot");
      target = master.main.revision();
      master.main.ok("put", "/registry/pods/default/lost", "after the target");
      long last = master.main.revision();
      journal.stop(WAIT);
      ProcessResult stopped = journal.await(WAIT);
      assertThat(stopped.stdout()).as("%s", stopped).contains("cluster main: stopped, journal durable up to revision "
          + last);
    }
    String pillar = master.etcdPillar + """
        etcd_restore:
          stop_timeout_seconds: 30
          to_revision: {main: %d}
        """.formatted(target);

    StateRun restored = master.salt.apply(SLS, pillar);

    assertThat(restored.succeeded()).as("%s", restored).isTrue();
    master.assertServesTheSnapshot();
    assertThat(master.main.ok("get", "--print-value-only", "/registry/pods/default/journalled"))
        .as("the revision the pillar names, from the journal").isEqualTo("after the snapshot\n");
    assertThat(master.main.revision()).as("the target, bumped").isEqualTo(1_000_000 + target);
    assertThat(master.etcdDirs()).filteredOn(dir -> dir.contains("point-check")).isEmpty();

    StateRun again = master.salt.apply(SLS, pillar);

    assertThat(again.succeeded()).as("%s", again).isTrue();
    assertThat(again.changed()).as("%s", again).isEmpty();
  }

  private static String[] args(String[] clusters, String... command) {
    String[] all = new String[command.length + clusters.length];
    System.arraycopy(command, 0, all, 0, command.length);
    System.arraycopy(clusters, 0, all, command.length, clusters.length);
    return all;
  }
}
