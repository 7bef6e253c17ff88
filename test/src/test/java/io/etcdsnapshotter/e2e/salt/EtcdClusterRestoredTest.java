package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdsnapshotter.aws.MotoServer;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Json;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The whole-cluster restore as one command on a real salt-master with three real salt-minions ({@link SaltMaster}):
 * {@code salt-run state.orchestrate kubernetes.etcd.cluster-restored}. etcd main and events run on the three
 * {@link Master}s on loopback from the manifests of kubernetes.etcd.configured (a {@link Kubelet} per master).
 */
@ResourceLock(ThreeMasters.LOCK)
class EtcdClusterRestoredTest {
  private static final String SLS = "kubernetes.etcd.cluster-restored";
  private static final String ZONE = MotoServer.REGION + "b";
  private static final String PVC_TAG = "kubernetes.io/created-for/pvc/name";
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  /** How long a member the kubelet (re)started may take to answer: a restored one also waits for its peers. */
  private static final Duration STARTUP = Duration.ofSeconds(60);

  @TempDir Path root;
  private final List<Kubelet> kubelets = new ArrayList<>();
  private final List<String> loopDevices = new ArrayList<>();
  private SaltMaster salt;
  private MotoServer moto;
  private Master[] masters;
  private EtcdVersion version;
  private Path snapshots;
  /** Every key and value of main and events when the snapshot was taken, as etcdctl get prints them. */
  private String mainAtSnapshot;
  private String eventsAtSnapshot;

  @AfterEach
  void stopEverything() throws Exception {
    if (salt != null) {
      salt.close();
    }
    for (Kubelet kubelet : kubelets) {
      kubelet.close();
    }
    for (Master master : masters == null ? new Master[0] : masters) {
      Path mountPoint = master.salt().path("mnt/etcd");
      if (run("mountpoint", "-q", mountPoint.toString()).exitCode() == 0) {
        run("umount", mountPoint.toString());
      }
    }
    loopDevices.forEach(device -> run("losetup", "-d", device));
    if (moto != null) {
      moto.close();
    }
  }

  /**
   * With pillar etcd_restore:ebs_snapshot latest, the snapshot is resolved once, on master-1, and every master brings
   * that one back. master-3's pillar names the PVC tag of an older snapshot, so `latest` resolved on master-3 itself
   * would be that one: every master bringing back the newest shows none resolved it on its own.
   */
  @ParameterizedTest
  @EnumSource(value = EtcdVersion.class, names = {"V3_5", "V3_6"})
  void restoresAllThreeMastersFromOneEbsSnapshotResolvedOnceThenAppliesKubernetesRunning(EtcdVersion version)
      throws Exception {
    assumeTrue(run("id", "-u").stdout().strip().equals("0"), "mounting needs root");
    threeMastersWithASnapshot(version, MotoServer.CREDENTIALS, "");
    moto = MotoServer.start();
    String imageId = moto.client().describeImages().images().get(0).imageId();
    String older = ebsSnapshot("etcd-snapshot-before-rename");
    Thread.sleep(1_100); // start times have whole seconds
    String newest = ebsSnapshot("kube-etcd-snapshot-pvc");
    for (Master master : masters) {
      String instanceId = moto.client().runInstances(r -> r.imageId(imageId).minCount(1).maxCount(1)
          .placement(p -> p.availabilityZone(ZONE))).instances().get(0).instanceId();
      String tags = master.name().equals("master-3")
          ? "  ebs_snapshot_tags: {" + PVC_TAG + ": etcd-snapshot-before-rename}\n" : "";
      salt.pillar(master, """
          cluster_name: prod
          etcd_restore:
            ebs_device: %s
            aws_region: %s
            aws_endpoint: %s
            instance_id: %s
            availability_zone: %s
          """.formatted(loopDeviceHoldingTheSnapshot(master), MotoServer.REGION, moto.endpoint(), instanceId, ZONE)
          + tags);
    }

    StateRun alone = salt.apply("master-3", "kubernetes.etcd.restore-source", "{etcd_restore: {ebs_snapshot: latest}}")
        .get("master-3");
    assertThat(alone.succeeded()).as("%s", alone).isTrue();
    assertThat(alone.states().get(0).changes().get("stdout")).as("latest on master-3 alone").asString()
        .contains("ebs-snapshot " + older).doesNotContain(newest);

    StateRun run = salt.orchestrate(SLS, "{etcd_restore: {ebs_snapshot: latest}}");

    assertThat(run.succeeded()).as("%s", run).isTrue();
    assertThat(state(run, "etcd-cluster-restore-source").comment())
        .contains("EBS snapshot latest is " + newest + " (resolved once, on master-1)");
    for (Master master : masters) {
      StateRun restored = SaltMaster.onMinion(state(run, "etcd-cluster-restored"), master.name());
      assertThat(state(restored, "etcd-snapshot-volume-mounted").changes().get("stderr")).as("%s", restored)
          .asString().contains("from " + newest);
    }
    assertRestoredFromTheSnapshot();
    assertSnapshotsGoOnWithTheRestoredClusters();
    assertThat(moto.client().describeVolumes(r -> r.filters(Filter.builder().name("tag-key")
        .values("etcd-snapshotter/brought-back-to").build())).volumes()).as("volumes left brought back").isEmpty();
  }

  /**
   * From the S3 copies (etcd_restore:s3 in the masters' own pillar): master-1 resolves each cluster's newest copy, and
   * every master fetches those objects. master-3's pillar names a prefix holding no copy, so it could not have
   * resolved one itself: its restore shows the objects were pinned for it.
   */
  @Test
  void fromS3TheNewestCopiesAreResolvedOnceAndEveryMasterRestoresThem() throws Exception {
    threeMastersWithASnapshot(EtcdVersion.V3_6, MotoServer.CREDENTIALS, "");
    moto = MotoServer.start();
    moto.s3Client().createBucket(r -> r.bucket("backups"));
    mainAtSnapshot = masters[0].etcdctl(version, "main").ok("get", "", "--prefix");
    eventsAtSnapshot = masters[0].etcdctl(version, "events").ok("get", "", "--prefix");
    ProcessResult copied = Jar.run(MotoServer.CREDENTIALS, "snapshot", "--dir", root.resolve("s3-run").toString(),
        "--cluster", "main=" + masters[0].mainUrl(), "--cluster", "events=" + masters[0].eventsUrl(),
        "--cluster-name", "prod", "--s3-bucket", "backups", "--s3-prefix", "etcd",
        "--s3-endpoint", moto.endpoint().toString());
    assertThat(copied.exitCode()).as("%s", copied).isZero();
    masters[0].etcdctl(version, "main").ok("put", "/registry/pods/default/after-the-copy", "lost");
    for (Master master : masters) {
      salt.pillar(master, """
          cluster_name: prod
          etcd_restore:
            s3: {bucket: backups, prefix: %s, region: %s, endpoint: %s}
          """.formatted(master.name().equals("master-3") ? "elsewhere" : "etcd", MotoServer.REGION, moto.endpoint()));
    }

    StateRun alone = salt.apply("master-3", "kubernetes.etcd.restore-source", "{}").get("master-3");
    assertThat(alone.succeeded()).as("master-3 resolving its own newest copy: %s", alone).isFalse();

    StateRun run = salt.orchestrate(SLS, "{}");

    assertThat(run.succeeded()).as("%s", run).isTrue();
    assertThat(state(run, "etcd-cluster-restore-source").comment()).contains("S3 copies resolved once, on master-1:"
        + " events etcd/prod/events/", "main etcd/prod/main/");
    assertRestoredFromTheSnapshot();
  }

  /**
   * Without EBS: snapshot files that differ on one master are refused before anything is stopped, naming it; a
   * restore that fails on one master stops before kubernetes.running on all; the same command, once the master is
   * fixed, finishes the restore.
   */
  @Test
  void refusesDifferingFilesAndAFailureOnOneMasterStopsBeforeKubernetesRunning() throws Exception {
    threeMastersWithASnapshot(EtcdVersion.V3_6, Map.of(), "");
    Path newer = root.resolve("newer");
    jar("snapshot", "--dir", newer.toString(), "--cluster", "main=" + masters[0].mainUrl(),
        "--cluster", "events=" + masters[0].eventsUrl());
    for (Master master : masters) {
      Path mnt = Files.createDirectories(master.salt().path("mnt/etcd"));
      Path from = master.name().equals("master-3") ? newer : snapshots;
      Files.copy(from.resolve("snapshot.db"), mnt.resolve("snapshot.db"));
      Files.copy(snapshots.resolve("snapshot-events.db"), mnt.resolve("snapshot-events.db"));
      // What kubernetes.running removes (the addon is off): still there shows it did not run.
      Files.createDirectories(master.salt().path("etc/kubernetes/addons/etcd-snapshot"));
    }

    StateRun differing = salt.orchestrate(SLS, "{}");

    assertThat(differing.exitCode()).as("%s", differing).isNotZero();
    assertThat(differing.states()).as("%s", differing).singleElement().satisfies(state -> {
      assertThat(state.result()).isFalse();
      assertThat(state.comment()).startsWith("the snapshot files of cluster main differ between the masters, master-3"
          + " being the odd one: ").endsWith("nothing was stopped and kubernetes.running was not applied");
    });
    assertStillTheOldCluster(masters);

    Files.copy(snapshots.resolve("snapshot.db"), masters[2].salt().path("mnt/etcd/snapshot.db"),
        StandardCopyOption.REPLACE_EXISTING);
    salt.pillar(masters[1], "etcd_restore: {jar: " + root.resolve("no-such.jar") + "}\n");

    StateRun failed = salt.orchestrate(SLS, "{}");

    assertThat(failed.exitCode()).as("%s", failed).isNotZero();
    assertThat(state(failed, "etcd-cluster-restored").result()).as("%s", failed).isFalse();
    assertThat(state(failed, "etcd-cluster-restored").comment()).contains("master-2")
        .doesNotContain("master-1").doesNotContain("master-3");
    assertThat(state(failed, "etcd-cluster-restore-failed").comment())
        .contains("kubernetes.running was not applied");
    assertThat(state(failed, "etcd-cluster-running").result()).isFalse();
    assertThat(state(failed, "etcd-cluster-running").changes()).isEmpty();
    for (Master master : masters) {
      assertThat(master.salt().path("etc/kubernetes/addons/etcd-snapshot")).as("kubernetes.running on %s",
          master.name()).isDirectory();
    }
    assertStillTheOldCluster(masters[1]);

    salt.pillar(masters[1], "");
    StateRun again = salt.orchestrate(SLS, "{}");

    assertThat(again.succeeded()).as("%s", again).isTrue();
    for (Master master : masters) {
      assertThat(master.salt().path("etc/kubernetes/addons/etcd-snapshot")).as("kubernetes.running on %s",
          master.name()).doesNotExist();
    }
    assertRestoredFromTheSnapshot();
  }

  /**
   * The reactor of etcd-snapshotter/etcd/quorum-lost: off by default it only logs the command that restores; allowed
   * in the reporting masters' pillar, it runs it once a majority reported the loss, and once for the same loss.
   */
  @Test
  void theQuorumLostEventRestoresEveryMasterOnlyWhenAllowedAndOnceForTheSameLoss() throws Exception {
    threeMastersWithASnapshot(EtcdVersion.V3_6, Map.of(),
        "reactor: [{'etcd-snapshotter/etcd/quorum-lost': [salt://kubernetes/etcd/reactor/quorum-lost.sls]}]\n"
            + "etcd_recovery: {restore_pillar: {}}\n");
    for (Master master : masters) {
      Path mnt = Files.createDirectories(master.salt().path("mnt/etcd"));
      Files.copy(snapshots.resolve("snapshot.db"), mnt.resolve("snapshot.db"));
      Files.copy(snapshots.resolve("snapshot-events.db"), mnt.resolve("snapshot-events.db"));
      Files.createDirectories(master.salt().path("etc/kubernetes/addons/etcd-snapshot"));
    }

    quorumLost("master-1");

    Polling.await("the reactor's log line", TIMEOUT, () -> salt.masterLog().contains("etcd quorum lost"),
        salt::masterLog);
    assertThat(salt.masterLog()).contains("etcd quorum lost (cluster main, reported by master-1): not restoring by"
        + " itself (etcd_recovery:restore_when_quorum_lost is off); bring the members back, or restore every master"
        + " from the newest snapshot with: salt-run state.orchestrate kubernetes.etcd.cluster-restored pillar='{}'");
    assertStillTheOldCluster(masters);

    for (Master master : masters) {
      salt.pillar(master, "etcd_recovery: {restore_when_quorum_lost: true}\n");
    }
    quorumLost("master-1");
    Polling.await("the reactor waiting for a majority", TIMEOUT,
        () -> salt.masterLog().contains("waiting for a majority of the 3 masters to report it before restoring"
            + " (master-1 did, within 3600 s)"), salt::masterLog);
    assertStillTheOldCluster(masters);
    quorumLost("master-2");
    quorumLost("master-3");

    // kubernetes.running, the orchestration's last step, removes the addon dir (the addon is off).
    Polling.await("kubernetes.running applied by the orchestration on every master", Duration.ofMinutes(4),
        () -> Stream.of(masters).noneMatch(m -> Files.exists(m.salt().path("etc/kubernetes/addons/etcd-snapshot"))),
        salt::masterLog);
    assertRestoredFromTheSnapshot();
    assertThat(salt.masterLog()).containsOnlyOnce("restoring every master, as etcd_recovery:restore_when_quorum_lost"
        + " allows and master-1, master-2 reported: salt-run state.orchestrate kubernetes.etcd.cluster-restored"
        + " pillar='{}'").containsOnlyOnce("(cluster main, reported by master-3): not restoring again, a restore"
        + " started ");
  }

  /** What a master whose etcd lost quorum sends. */
  private void quorumLost(String minion) {
    ProcessResult sent = salt.call(minion, "event.send", "etcd-snapshotter/etcd/quorum-lost",
        "data={\"cluster\": \"main\", \"minion\": \"" + minion + "\"}");
    assertThat(sent.exitCode()).as("%s", sent).isZero();
  }

  /**
   * Three masters whose etcd runs from kubernetes.etcd.configured, applied through the salt-master; a snapshot of
   * both clusters in {@link #snapshots}, and a key written after it.
   */
  private void threeMastersWithASnapshot(EtcdVersion version, Map<String, String> minionEnvironment,
      String masterConfig) throws Exception {
    version.assumeInstalled();
    this.version = version;
    masters = Master.onLoopback(root, version.release(), 3);
    salt = SaltMaster.start(root, masters, minionEnvironment, masterConfig);
    Map<String, StateRun> configured = salt.apply("kubernetes.etcd.configured");
    assertThat(configured).as("%s", configured).containsOnlyKeys("master-1", "master-2", "master-3")
        .allSatisfy((minion, run) -> assertThat(run.succeeded()).as("%s: %s", minion, run).isTrue());
    for (Master master : masters) {
      kubelets.add(new Kubelet(master.salt().path("etc/kubernetes/manifests"), version, master.salt().root()));
    }
    for (Master master : masters) {
      master.etcdctl(version, "main").awaitHealthy(STARTUP);
      master.etcdctl(version, "events").awaitHealthy(STARTUP);
    }
    masters[0].etcdctl(version, "main").ok("put", "/registry/pods/default/kept", "from the snapshot");
    masters[0].etcdctl(version, "events").ok("put", "/registry/events/default/kept", "event");
    mainAtSnapshot = masters[0].etcdctl(version, "main").ok("get", "", "--prefix");
    eventsAtSnapshot = masters[0].etcdctl(version, "events").ok("get", "", "--prefix");
    snapshots = root.resolve("snapshots");
    jar("snapshot", "--dir", snapshots.toString(), "--cluster", "main=" + masters[0].mainUrl(),
        "--cluster", "events=" + masters[0].eventsUrl());
    masters[0].etcdctl(version, "main").ok("put", "/registry/pods/default/lost", "after the snapshot");
  }

  /** Every member answers, each cluster has one ID, and every member holds exactly what the snapshot held. */
  private void assertRestoredFromTheSnapshot() {
    List<String> mainIds = new ArrayList<>();
    List<String> eventsIds = new ArrayList<>();
    for (Master master : masters) {
      master.etcdctl(version, "main").awaitHealthy(STARTUP);
      master.etcdctl(version, "events").awaitHealthy(STARTUP);
      assertThat(master.etcdctl(version, "main").ok("get", "", "--prefix")).as("main on %s", master.name())
          .isEqualTo(mainAtSnapshot);
      assertThat(master.etcdctl(version, "events").ok("get", "", "--prefix")).as("events on %s", master.name())
          .isEqualTo(eventsAtSnapshot);
      assertThat(master.etcdctl(version, "main").ok("member", "list").lines()).hasSize(masters.length);
      mainIds.add(master.etcdctl(version, "main").clusterIdHex());
      eventsIds.add(master.etcdctl(version, "events").clusterIdHex());
    }
    assertThat(mainIds).as("cluster IDs of main").hasSize(3).containsOnly(mainIds.get(0));
    assertThat(eventsIds).as("cluster IDs of events").hasSize(3).containsOnly(eventsIds.get(0));
    masters[1].etcdctl(version, "main").ok("put", "/registry/pods/default/new", "written after the restore");
    assertThat(masters[2].etcdctl(version, "main").ok("get", "--print-value-only", "/registry/pods/default/new"))
        .isEqualTo("written after the restore\n");
  }

  /**
   * A snapshot run on the volume the restore came from, configured as the addon renders it (restoredBy: the pillar's
   * token and the initial cluster of the masters' manifests), takes each new etcd cluster for what it is, a restore of
   * that volume's file by kubernetes.etcd.restored, and goes on with it without allow_cluster_change.
   */
  private void assertSnapshotsGoOnWithTheRestoredClusters() throws IOException {
    String oldMain = Json.parse(Files.readString(snapshots.resolve("snapshots.json"))).path("clusters").path("main")
        .path("clusterId").asText();
    Path config = Files.writeString(root.resolve("restored-by.yaml"), "clusters:\n"
        + restoredBy("main", masters[0].mainUrl(), "etcd.manifest", "etcd-cluster")
        + restoredBy("events", masters[0].eventsUrl(), "etcd-events.manifest", "etcd-cluster-events"));
    ProcessResult run = Jar.run("snapshot", "--dir", snapshots.toString(), "--config", config.toString());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    JsonNode clusters = Json.parse(Files.readString(snapshots.resolve("snapshots.json"))).path("clusters");
    for (String cluster : List.of("main", "events")) {
      String now = masters[0].etcdctl(version, cluster).clusterIdHex();
      assertThat(clusters.path(cluster).path("clusterId").asText()).isEqualTo(now);
      assertThat(run.stderr()).contains("etcd cluster " + now + " is what kubernetes.etcd.restored bootstraps from");
    }
    assertThat(oldMain).isNotEqualTo(clusters.path("main").path("clusterId").asText());
  }

  /** A cluster's entry of the jar's config, its restoredBy read from the manifest Salt wrote on master-1. */
  private String restoredBy(String cluster, String url, String manifest, String token) throws IOException {
    Matcher initial = Pattern.compile("--initial-cluster=([^\"'\\s]+)")
        .matcher(Files.readString(masters[0].salt().path("etc/kubernetes/manifests/" + manifest)));
    assertThat(initial.find()).as("--initial-cluster in " + manifest).isTrue();
    return "  " + cluster + ":\n    endpoints: [" + url + "]\n    restoredBy:\n      token: " + token
        + "\n      initialCluster: " + initial.group(1) + "\n";
  }

  /**
   * Nothing was stopped on these masters: their etcd still serves what was written after the snapshot (from its own
   * copy: once the others are restored, it is the old cluster's last member, without quorum).
   */
  private void assertStillTheOldCluster(Master... stillOld) throws IOException {
    for (Master master : stillOld) {
      assertThat(master.etcdctl(version, "main").ok("get", "--consistency=s", "--print-value-only",
          "/registry/pods/default/lost"))
          .as("main on %s", master.name()).isEqualTo("after the snapshot\n");
      try (Stream<Path> dirs = Files.list(master.salt().path("var/etcd"))) {
        assertThat(dirs.map(dir -> dir.getFileName().toString()).toList()).as("data dirs of %s", master.name())
            .containsExactlyInAnyOrder("data", "data-events");
      }
    }
  }

  /** A loop device holding an ext4 file system with the snapshot files, what the EBS snapshot brings back. */
  private String loopDeviceHoldingTheSnapshot(Master master) throws IOException {
    Path image = root.resolve("ebs-" + master.name() + ".img");
    assertThat(run("truncate", "-s", "32M", image.toString()).exitCode()).isZero();
    ProcessResult loop = run("losetup", "-f", "--show", image.toString());
    assumeTrue(loop.exitCode() == 0, "no loop device: " + loop.stderr());
    String device = loop.stdout().strip();
    loopDevices.add(device);
    ProcessResult mkfs = run("mkfs.ext4", "-q", "-F", "-d", snapshots.toString(), device);
    assertThat(mkfs.exitCode()).as("%s", mkfs).isZero();
    return device;
  }

  /** An EBS snapshot as the snapshot command of cluster prod takes them, of the PVC {@code pvc}; returns its id. */
  private String ebsSnapshot(String pvc) {
    String volume = moto.client().createVolume(r -> r.availabilityZone(MotoServer.REGION + "a").size(1)).volumeId();
    return moto.client().createSnapshot(r -> r.volumeId(volume).tagSpecifications(t -> t.resourceType("snapshot")
        .tags(tag("etcd-snapshotter/created-by", "etcd-snapshotter"), tag("etcd-snapshotter/cluster", "prod"),
            tag(PVC_TAG, pvc)))).snapshotId();
  }

  private static StateRun.State state(StateRun run, String id) {
    return run.states().stream().filter(state -> state.id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no state " + id + " in " + run));
  }

  private static void jar(String... args) {
    List<String> command = new ArrayList<>(List.of(Jar.javaBinary(), "-jar", System.getProperty("snapshotter.jar")));
    command.addAll(List.of(args));
    Processes.run(command, TIMEOUT).orThrow();
  }

  private static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }

  private static ProcessResult run(String... command) {
    return Processes.run(List.of(command), TIMEOUT);
  }
}
