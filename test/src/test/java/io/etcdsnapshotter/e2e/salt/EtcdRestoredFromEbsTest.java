package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcdsnapshotter.aws.MotoServer;
import io.etcdsnapshotter.e2e.etcd.Etcdctl;
import io.etcdsnapshotter.e2e.fs.Sha256Sum;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * The restore runbook as one apply: kubernetes.etcd.restored with pillar etcd_restore:ebs_snapshot brings the EBS
 * snapshot back, restores both clusters from the files on it and gives the volume back. etcd main and events run from
 * the manifests of kubernetes.etcd.configured (a {@link Kubelet}); the jar snapshots them; the snapshot files are put
 * on an ext4 file system on a loop device, because moto attaches nothing real: pillar ebs_device names the loop device,
 * so the state really creates and attaches a volume (in moto), really mounts the files, restores from them and
 * releases both. The mount point does not exist before the apply: the files can only come from the mounted volume.
 */
@ResourceLock(ThreeMasters.LOCK)
class EtcdRestoredFromEbsTest {
  private static final String SLS = "kubernetes.etcd.restored";
  private static final String ZONE = MotoServer.REGION + "b";
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  @TempDir Path root;
  private String loopDevice;
  private OneMaster master;
  private MotoServer moto;
  private SaltCall salt;
  private Etcdctl main;
  private Etcdctl events;
  private String instanceId;
  private Path snapshots;

  @BeforeEach
  void masterWithEtcdRunningAndAnEbsSnapshot() throws Exception {
    assumeTrue(run("id", "-u").stdout().strip().equals("0"), "mounting needs root");
    Path image = root.resolve("ebs.img");
    assertThat(run("truncate", "-s", "32M", image.toString()).exitCode()).isZero();
    ProcessResult loop = run("losetup", "-f", "--show", image.toString());
    assumeTrue(loop.exitCode() == 0, "no loop device: " + loop.stderr());
    loopDevice = loop.stdout().strip();
    master = OneMaster.start(root);
    salt = master.salt;
    main = master.main;
    events = master.events;

    main.ok("put", "/registry/pods/default/kept", "from the snapshot");
    events.ok("put", "/registry/events/default/kept", "event");
    snapshots = Files.createDirectories(root.resolve("snapshots"));
    ProcessResult saved = run(Jar.javaBinary(), "-jar", System.getProperty("snapshotter.jar"), "snapshot",
        "--dir", snapshots.toString(), "--cluster", "main=" + master.mainUrl,
        "--cluster", "events=" + master.eventsUrl);
    assertThat(saved.exitCode()).as("%s", saved).isZero();
    main.ok("put", "/registry/pods/default/lost", "after the snapshot");

    moto = MotoServer.start();
    String imageId = moto.client().describeImages().images().get(0).imageId();
    instanceId = moto.client().runInstances(r -> r.imageId(imageId).minCount(1).maxCount(1)
        .placement(p -> p.availabilityZone(ZONE))).instances().get(0).instanceId();
    ebsSnapshot("prod");
  }

  /** An EBS snapshot as the snapshot command of cluster {@code cluster} takes them; returns its id. */
  private String ebsSnapshot(String cluster) {
    String volume = moto.client().createVolume(r -> r.availabilityZone(MotoServer.REGION + "a").size(1)).volumeId();
    return moto.client().createSnapshot(r -> r.volumeId(volume).tagSpecifications(t -> t.resourceType("snapshot")
        .tags(tag("etcd-snapshotter/created-by", "etcd-snapshotter"), tag("etcd-snapshotter/cluster", cluster),
            tag("kubernetes.io/created-for/pvc/name", "kube-etcd-snapshot-pvc")))).snapshotId();
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (master != null) {
      master.close();
    }
    if (loopDevice != null) {
      if (run("mountpoint", "-q", mountPoint().toString()).exitCode() == 0) {
        run("umount", mountPoint().toString());
      }
      run("losetup", "-d", loopDevice);
    }
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void oneApplyBringsTheSnapshotBackRestoresBothClustersAndReleasesTheVolume() throws Exception {
    volumeHolding(snapshots.resolve("snapshot.db"), snapshots.resolve("snapshot-events.db"));

    StateRun preview = salt.apply(SLS, pillar(), MotoServer.CREDENTIALS, "test=True");
    assertThat(preview.exitCode()).as("%s", preview).isZero();
    assertThat(preview.states()).as("%s", preview).noneMatch(state -> Boolean.FALSE.equals(state.result()))
        .anySatisfy(state -> assertThat(state.comment()).contains("test=True mounts nothing"));
    assertThat(run("mountpoint", "-q", mountPoint().toString()).exitCode()).as("mounted by test=True").isNotZero();
    assertThat(broughtBack()).as("volumes after test=True").isEmpty();
    assertThat(main.ok("get", "--print-value-only", "/registry/pods/default/lost"))
        .isEqualTo("after the snapshot\n");

    StateRun restored = salt.apply(SLS, pillar(), MotoServer.CREDENTIALS);

    assertThat(restored.succeeded()).as("%s", restored).isTrue();
    master.assertServesTheSnapshot();
    assertThat(master.etcdDirs()).anyMatch(dir -> dir.startsWith("data.before-restore-"))
        .anyMatch(dir -> dir.startsWith("data-events.before-restore-"));
    assertThat(salt.path("var/etcd/data/.etcd-snapshotter-restored-sha256"))
        .hasContent(Sha256Sum.of(snapshots.resolve("snapshot.db")) + "\n");
    assertThat(salt.path("var/etcd/data-events/.etcd-snapshotter-restored-sha256"))
        .hasContent(Sha256Sum.of(snapshots.resolve("snapshot-events.db")) + "\n");
    assertThat(stdoutOf(restored, "etcd-snapshot-volume-released")).as("%s", restored).contains("released vol-");
    assertThat(run("mountpoint", "-q", mountPoint().toString()).exitCode()).as("still mounted").isNotZero();
    assertThat(broughtBack()).as("volumes left brought back").isEmpty();

    main.ok("put", "/registry/pods/default/new", "written after the restore");
    StateRun again = salt.apply(SLS, pillar(), MotoServer.CREDENTIALS);

    assertThat(again.succeeded()).as("%s", again).isTrue();
    assertThat(again.changed()).as("%s", again).extracting(StateRun.State::id).containsExactlyInAnyOrder(
        "etcd-snapshot-volume-mounted", "etcd-snapshot-volume-unmounted", "etcd-snapshot-volume-released");
    assertThat(main.ok("get", "--print-value-only", "/registry/pods/default/new"))
        .isEqualTo("written after the restore\n");
    assertThat(run("mountpoint", "-q", mountPoint().toString()).exitCode()).as("still mounted").isNotZero();
    assertThat(broughtBack()).as("volumes left brought back").isEmpty();
  }

  @Test
  void aBadSnapshotOnTheVolumeStopsNothingAndLeavesTheVolumeMountedForTheOperator() throws Exception {
    Path bad = root.resolve("bad/snapshot-events.db");
    Files.createDirectories(bad.getParent());
    byte[] bytes = new byte[64 * 1024];
    new Random(5).nextBytes(bytes);
    Files.write(bad, bytes);
    volumeHolding(snapshots.resolve("snapshot.db"), bad);

    StateRun run = salt.apply(SLS, pillar(), MotoServer.CREDENTIALS);

    RestoreRefused.byTheEventsVerify(run);
    assertThat(run.states()).as("%s", run)
        .filteredOn(state -> state.id().endsWith("-stop") || state.id().endsWith("-set-aside")
            || state.id().endsWith("-restore") || state.id().startsWith("etcd-snapshot-volume-un")
            || state.id().equals("etcd-snapshot-volume-released"))
        .isNotEmpty().allSatisfy(state -> assertThat(state.changes()).isEmpty());
    assertThat(salt.path("etc/kubernetes/manifests/etcd.manifest")).isRegularFile();
    assertThat(salt.path("etc/kubernetes/manifests/etcd-events.manifest")).isRegularFile();
    assertThat(salt.path("etc/kubernetes/etcd-restore-manifests")).doesNotExist();
    assertThat(master.etcdDirs()).containsExactlyInAnyOrder("data", "data-events");
    assertThat(main.ok("get", "--print-value-only", "/registry/pods/default/lost"))
        .as("etcd main still serves its old data").isEqualTo("after the snapshot\n");
    events.awaitHealthy(OneMaster.STARTUP);
    assertThat(run("mountpoint", "-q", mountPoint().toString()).exitCode()).as("mounted").isZero();
    assertThat(mountPoint().resolve("snapshot-events.db")).hasBinaryContent(bytes);
    assertThat(broughtBack()).singleElement().satisfies(volume ->
        assertThat(volume.attachments()).singleElement().satisfies(a -> assertThat(a.instanceId()).isEqualTo(instanceId)));

    StateRun released = salt.apply("kubernetes.etcd.snapshot-volume", pillar().replace("ebs_snapshot: latest",
        "ebs_snapshot: release"), MotoServer.CREDENTIALS);
    assertThat(released.succeeded()).as("%s", released).isTrue();
    assertThat(run("mountpoint", "-q", mountPoint().toString()).exitCode()).as("mounted").isNotZero();
    assertThat(broughtBack()).isEmpty();
  }

  @Test
  void anotherClustersSnapshotIsRefusedBeforeAnythingIsStoppedUnlessThePillarAllowsIt() throws Exception {
    volumeHolding(snapshots.resolve("snapshot.db"), snapshots.resolve("snapshot-events.db"));
    String staging = ebsSnapshot("staging");

    StateRun run = salt.apply(SLS, pillar().replace("ebs_snapshot: latest", "ebs_snapshot: " + staging),
        MotoServer.CREDENTIALS);

    assertThat(run.succeeded()).as("%s", run).isFalse();
    assertThat(run.toString()).contains("EBS snapshot " + staging + " is of cluster staging, not of prod");
    assertThat(broughtBack()).isEmpty();
    assertThat(run("mountpoint", "-q", mountPoint().toString()).exitCode()).as("mounted").isNotZero();
    assertThat(salt.path("etc/kubernetes/manifests/etcd.manifest")).isRegularFile();
    assertThat(master.etcdDirs()).containsExactlyInAnyOrder("data", "data-events");
    assertThat(main.ok("get", "--print-value-only", "/registry/pods/default/lost"))
        .as("etcd main still serves its old data").isEqualTo("after the snapshot\n");

    StateRun allowed = salt.apply(SLS, pillar().replace("ebs_snapshot: latest", "ebs_snapshot: " + staging
        + "\n  allow_other_cluster: true"), MotoServer.CREDENTIALS);
    assertThat(allowed.succeeded()).as("%s", allowed).isTrue();
    assertThat(main.ok("get", "/registry/pods/default/lost")).isEmpty();
    assertThat(broughtBack()).isEmpty();
  }

  /** The file system of the EBS snapshot, on the loop device: the given files, at its root. */
  private void volumeHolding(Path... files) throws IOException {
    Path content = Files.createDirectories(root.resolve("volume-content"));
    for (Path file : files) {
      Files.copy(file, content.resolve(file.getFileName()));
    }
    ProcessResult mkfs = run("mkfs.ext4", "-q", "-F", "-d", content.toString(), loopDevice);
    assertThat(mkfs.exitCode()).as("%s", mkfs).isZero();
  }

  private String pillar() {
    return master.etcdPillar + """
        cluster_name: prod
        etcd_restore:
          stop_timeout_seconds: 30
          ebs_snapshot: latest
          ebs_device: %s
          aws_region: %s
          aws_endpoint: %s
          instance_id: %s
          availability_zone: %s
        """.formatted(loopDevice, MotoServer.REGION, moto.endpoint(), instanceId, ZONE);
  }

  private Path mountPoint() {
    return root.resolve("mnt/etcd");
  }

  private List<Volume> broughtBack() {
    return moto.client().describeVolumes(r -> r.filters(Filter.builder()
        .name("tag:etcd-snapshotter/brought-back-to").values(instanceId).build())).volumes();
  }


  private static String stdoutOf(StateRun run, String id) {
    return run.states().stream().filter(state -> state.id().equals(id))
        .map(state -> String.valueOf(state.changes().get("stdout"))).findFirst().orElse("");
  }


  private static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }


  private static ProcessResult run(String... command) {
    return Processes.run(List.of(command), TIMEOUT);
  }
}
