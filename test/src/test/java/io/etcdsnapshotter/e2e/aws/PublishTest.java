package io.etcdsnapshotter.e2e.aws;

import static io.etcdsnapshotter.e2e.aws.AddonNamespace.PVC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdsnapshotter.aws.MotoServer;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Json;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.fs.TempDirectory;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.kube.KubeApiServer;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.testing.FreePorts;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The CronJob's run end to end: a real etcd; a real kube-apiserver and kube-controller-manager holding the addon as
 * salt-call renders it and the addon manager applies it, with its PVC bound to a PV; the jar's {@code snapshot} run
 * with a token of the addon's ServiceAccount, finding the EBS volume through the PVC and its PV, tagging it and taking
 * EBS snapshots in moto, three runs in a row with {@code keep: 2}. Each scenario that needs a claim of its own gets a
 * namespace of its own (the addon rendered into it), so no run overwrites what another one's assertions read.
 */
class PublishTest {
  private static final String CREATED_BY = "etcd-snapshotter/created-by";
  private static final String VOLUME = "volume";
  private static final String CLUSTER = "prod";
  private static final String NOT_ENCRYPTED = " is not encrypted, yet the snapshot files hold every Secret of the"
      + " cluster: give the PVC an encrypted volume (StorageClass parameter encrypted: \"true\", or EBS encryption"
      + " by default)";
  private static EtcdCluster etcd;
  private static MotoServer moto;
  private static KubeApiServer kube;
  private static KubernetesClient admin;
  private static TempDirectory work;
  private static AddonNamespace main;
  private static String volumeId;
  private static final List<ProcessResult> runs = new ArrayList<>();
  /** The main claim as the three runs left it, before the failing runs below write their Events on it. */
  private static Map<String, String> mainAnnotations;
  private static List<Event> mainEvents;
  private static String mainDescribed;

  @BeforeAll
  static void runThreeTimes() {
    etcd = EtcdCluster.start(EtcdVersion.V3_5, 1, Security.PLAIN);
    moto = MotoServer.start();
    kube = KubeApiServer.startWithControllerManager();
    admin = kube.client();
    work = TempDirectory.create("e2e-publish-");
    volumeId = moto.client().createVolume(r -> r.availabilityZone(MotoServer.REGION + "a").size(1).encrypted(true)
        .tagSpecifications(t -> t.resourceType("volume").tags(tag("kubernetes.io/created-for/pvc/name", PVC))))
        .volumeId();
    main = claimOn("kube-system", EbsVolumeShape.CSI, volumeId);
    Path config = config(VOLUME, main, "aws:", "  endpoint: " + moto.endpoint(), "  ebsSnapshots: {keep: 2,"
        + " copies: [{region: " + MotoServer.OTHER_REGION + ", kmsKeyId: alias/etcd-dr}]}");
    for (int i = 0; i < 3; i++) {
      etcd.etcdctl().ok("put", "/registry/run", Integer.toString(i)); // each run saves a newer revision
      runs.add(Jar.run(environment(main), "snapshot", "--drill", "--config", config.toString()));
      sleepPastTheSecond(); // EBS start times have whole seconds: runs must differ in them to be ordered
    }
    mainAnnotations = main.annotations();
    mainEvents = main.events();
    mainDescribed = main.describe();
  }

  @AfterAll
  static void stopEverything() {
    for (AutoCloseable resource : new AutoCloseable[] {admin, kube, etcd, moto, work}) {
      try {
        if (resource != null) {
          resource.close();
        }
      } catch (Exception e) {
        // the others still need closing
      }
    }
  }

  @Test
  void everyRunSucceedsAndSaysWhatItPublished() {
    assertThat(runs).allSatisfy(run -> {
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(Jar.messages(run)).as(run.toString()).isEmpty();
      assertThat(run.stdout()).contains("tagged EBS volume " + volumeId, "started EBS snapshot snap-",
          "annotated PVC kube-system/kube-etcd-snapshot-pvc");
    });
  }

  @Test
  void tagsTheVolumeForExternalToolsWithTheLastRunsRevision() {
    assertThat(volumeTags(volumeId)).containsEntry("etcd-snapshot", "true")
        .containsEntry("kubernetes.io/created-for/pvc/name", PVC)
        .containsEntry("etcd-snapshotter/revision/main", index().path("revision").asText())
        .containsEntry("etcd-snapshotter/cluster", CLUSTER)
        .containsKey("etcd-snapshotter/last-run");
  }

  @Test
  void keepsTheTwoNewestEbsSnapshotsTaggedWithTheFilesFacts() {
    List<Snapshot> ours = ourSnapshots();
    assertThat(ours).hasSize(2);
    Snapshot newest = ours.stream().max(Comparator.comparing(Snapshot::startTime)).orElseThrow();
    assertThat(newest.tags()).contains(
        tag("etcd-snapshotter/sha256/main", index().path("sha256").asText()),
        tag("etcd-snapshotter/revision/main", index().path("revision").asText()),
        tag("kubernetes.io/created-for/pvc/name", PVC), tag("etcd-snapshotter/cluster", CLUSTER));
  }

  @Test
  void copiesEachEbsSnapshotToTheOtherRegionEncryptedAndKeepsTwoThere() {
    Snapshot newest = ourSnapshots().stream().max(Comparator.comparing(Snapshot::startTime)).orElseThrow();
    List<Snapshot> copies = moto.otherRegionClient().describeSnapshots(r -> r.filters(
        Filter.builder().name("tag:etcd-snapshotter/copy-of-volume").values(volumeId).build(),
        Filter.builder().name("tag:" + CREATED_BY).values("etcd-snapshotter").build())).snapshots();
    assertThat(copies).hasSize(2).allSatisfy(copy -> {
      assertThat(copy.encrypted()).isTrue();
      assertThat(copy.kmsKeyId()).isEqualTo("alias/etcd-dr");
      assertThat(copy.tags()).contains(tag("etcd-snapshotter/cluster", CLUSTER));
    });
    Snapshot newestCopy = copies.stream().max(Comparator.comparing(Snapshot::startTime)).orElseThrow();
    assertThat(newestCopy.tags()).contains(tag("etcd-snapshotter/copy-of", newest.snapshotId()),
        tag("etcd-snapshotter/sha256/main", index().path("sha256").asText()));
    assertThat(runs.get(2).stdout()).contains("copying EBS snapshot " + newest.snapshotId() + " to "
        + MotoServer.OTHER_REGION + " as " + newestCopy.snapshotId() + "; expired in " + MotoServer.OTHER_REGION);
  }

  @Test
  void recordsTheRunOnThePvcForKubectlDescribe() {
    String newestId = ourSnapshots().stream().max(Comparator.comparing(Snapshot::startTime))
        .orElseThrow().snapshotId();
    assertThat(mainAnnotations)
        .containsEntry("etcd-snapshotter.io/main.revision", index().path("revision").asText())
        .containsEntry("etcd-snapshotter.io/main.sha256", index().path("sha256").asText())
        .containsEntry("etcd-snapshotter.io/last-result", "ok")
        .containsEntry("etcd-snapshotter.io/volume-encrypted", "true")
        .containsEntry("etcd-snapshotter.io/ebs-snapshot", newestId)
        .hasEntrySatisfying("etcd-snapshotter.io/main.drill", drill -> assertThat(drill)
            .startsWith("ok: revision " + index().path("revision").asText() + " restored and checked in "))
        // what kube-controller-manager wrote when it bound the claim stays
        .containsEntry("pv.kubernetes.io/bind-completed", "yes");
    // an encrypted volume and snapshot: no Warning
    assertThat(mainEvents).extracting(Event::getType, Event::getReason).containsExactly(
        tuple("Normal", "SnapshotSaved"), tuple("Normal", "SnapshotSaved"), tuple("Normal", "SnapshotSaved"));
    assertThat(mainDescribed).contains("etcd-snapshotter.io/last-result: ok",
        "etcd-snapshotter.io/main.revision: " + index().path("revision").asText(),
        "pv.kubernetes.io/bind-completed: yes");
    assertThat(mainDescribed.lines().filter(line -> line.matches(
        "\\s*Normal\\s+SnapshotSaved\\s+.*\\s+etcd-snapshotter\\s+cluster main \\(.*\\): saved snapshot\\.db at"
            + " revision (\\d+); restore drill ok: revision \\1 restored and checked in [0-9.]+ s"))).hasSize(3);
  }

  @ParameterizedTest
  @EnumSource(EbsVolumeShape.class)
  void findsTheEbsVolumeThroughThePvcsPvInEachShape(EbsVolumeShape shape) {
    String volume = volume(true);
    AddonNamespace addon = claimOn("shape-" + shape.name().toLowerCase(Locale.ROOT).replace('_', '-'), shape, volume);
    Path config = config("shape-" + shape, addon, "aws:", "  endpoint: " + moto.endpoint());

    ProcessResult run = Jar.run(environment(addon), "snapshot", "--config", config.toString());

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.stdout()).contains("tagged EBS volume " + volume);
    assertThat(volumeTags(volume)).containsEntry("etcd-snapshotter/cluster", CLUSTER)
        .containsEntry("etcd-snapshotter/revision/main", index("shape-" + shape).path("revision").asText());
  }

  @Test
  void aVolumeTaggedForAnotherClusterGetsNoSnapshotOfThisOne() {
    String staging = moto.client().createVolume(r -> r.availabilityZone(MotoServer.REGION + "a").size(1)
        .tagSpecifications(t -> t.resourceType("volume").tags(tag("etcd-snapshotter/cluster", "staging"))))
        .volumeId();
    Path config = config("other-clusters-volume", main, "aws:", "  endpoint: " + moto.endpoint(),
        "  volumeId: " + staging, "  ebsSnapshots: {}");

    ProcessResult run = Jar.run(environment(main), "snapshot", "--config", config.toString());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(Jar.messages(run)).singleElement().asString().startsWith("etcd-snapshotter snapshot: EBS volume "
        + staging + " is tagged etcd-snapshotter/cluster=staging, not prod: it holds another cluster's snapshots");
    assertThat(moto.client().describeSnapshots(r -> r.filters(Filter.builder().name("volume-id").values(staging)
        .build())).snapshots()).isEmpty();
  }

  @Test
  void aFailedPublishExitsOneWithAWarningAndVouchesForTheFiles() {
    Path config = config("failed-volume", main, "aws:", "  endpoint: " + moto.endpoint(),
        "  volumeId: vol-0000000000000000f");

    ProcessResult run = Jar.run(environment(main), "snapshot", "--config", config.toString());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(Jar.hasStackTrace(run)).as(run.toString()).isFalse();
    assertThat(Jar.messages(run)).singleElement().asString()
        .startsWith("etcd-snapshotter snapshot: EC2 at " + moto.endpoint() + ": cannot describe volume"
            + " vol-0000000000000000f: InvalidVolume.NotFound")
        .endsWith("the snapshot files written are valid: snapshot.db (revision "
            + index("failed-volume").path("revision").asText() + ")");
    assertThat(main.events()).filteredOn(e -> e.getType().equals("Warning"))
        .filteredOn(e -> e.getMessage().contains("vol-0000000000000000f")).singleElement()
        .satisfies(e -> assertThat(e.getMessage()).contains("InvalidVolume.NotFound"));
  }

  @Test
  void aRunWithAnUnreachableClusterIsRecordedOnThePvcAsFailedWithTheGoodFilesRevision() {
    AddonNamespace addon = AddonNamespace.install(kube, admin, work.path(), "partly-failed");
    String unreachable = "http://127.0.0.1:" + FreePorts.one();
    Path config = config("partly-failed", addon, "  events:", "    endpoints: [" + unreachable + "]");

    ProcessResult run = Jar.run(environment(addon), "snapshot", "--config", config.toString());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.stdout()).contains("annotated PVC partly-failed/" + PVC);
    assertThat(addon.annotations())
        .containsEntry("etcd-snapshotter.io/last-result", "failed")
        .containsEntry("etcd-snapshotter.io/main.revision", index("partly-failed").path("revision").asText())
        .containsEntry("etcd-snapshotter.io/main.sha256", index("partly-failed").path("sha256").asText())
        .doesNotContainKey("etcd-snapshotter.io/events.revision");
    assertThat(addon.events()).singleElement().satisfies(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getReason()).isEqualTo("SnapshotFailed");
      assertThat(e.getMessage()).startsWith("cluster events: ").contains(unreachable);
    });
  }

  @Test
  void aMissingPvcFailsInOneLineAndVouchesForTheFiles() {
    AddonNamespace addon = AddonNamespace.install(kube, admin, work.path(), "no-claim");
    addon.deleteClaim();
    Path config = config("no-claim", addon, "aws:", "  endpoint: " + moto.endpoint());

    ProcessResult run = Jar.run(environment(addon), "snapshot", "--config", config.toString());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(Jar.messages(run)).containsExactly("etcd-snapshotter snapshot: PVC no-claim/" + PVC + " does not"
        + " exist: check kubernetes.namespace and kubernetes.pvc; the snapshot files written are valid: snapshot.db"
        + " (revision " + index("no-claim").path("revision").asText() + ")");
  }

  @Test
  void aPvcNotBoundYetFailsInOneLineNamingIt() {
    AddonNamespace addon = AddonNamespace.install(kube, admin, work.path(), "unbound");
    Path config = config("unbound", addon, "aws:", "  endpoint: " + moto.endpoint());

    ProcessResult run = Jar.run(environment(addon), "snapshot", "--config", config.toString());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(Jar.hasStackTrace(run)).as(run.toString()).isFalse();
    assertThat(Jar.messages(run)).singleElement().asString()
        .startsWith("etcd-snapshotter snapshot: PVC unbound/" + PVC + " is not bound to a PV yet")
        .endsWith("the snapshot files written are valid: snapshot.db (revision "
            + index("unbound").path("revision").asText() + ")");
  }

  @Test
  void aPlainVolumeAndItsSnapshotAreWarningEventsByDefault() {
    String plain = volume(false);
    AddonNamespace addon = claimOn("plain-warned", EbsVolumeShape.CSI, plain);
    Path config = config("plain-warned", addon, "aws:", "  endpoint: " + moto.endpoint(), "  ebsSnapshots: {}");

    ProcessResult run = Jar.run(environment(addon), "snapshot", "--config", config.toString());

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.stderr()).contains("WARN  EBS volume " + plain + " is not encrypted");
    Map<String, String> annotations = addon.annotations();
    assertThat(annotations).containsEntry("etcd-snapshotter.io/volume-encrypted", "false")
        .containsKey("etcd-snapshotter.io/ebs-snapshot");
    assertThat(addon.events()).extracting(Event::getType, Event::getReason, Event::getMessage)
        .containsExactlyInAnyOrder(
            tuple("Normal", "SnapshotSaved", "cluster main (" + etcd.endpoints() + "): saved snapshot.db at revision "
                + index("plain-warned").path("revision").asText()),
            tuple("Warning", "NotEncrypted", "EBS volume " + plain + NOT_ENCRYPTED),
            tuple("Warning", "NotEncrypted", "EBS snapshot " + annotations.get("etcd-snapshotter.io/ebs-snapshot")
                + NOT_ENCRYPTED));
  }

  @Test
  void aPlainVolumeFailsTheRunWithRequireEncryptedInOneLineBeforeCopyingItAndTheFilesStay() {
    String plain = volume(false);
    AddonNamespace addon = claimOn("plain-refused", EbsVolumeShape.CSI, plain);
    Path config = config("plain-refused", addon, "aws:", "  endpoint: " + moto.endpoint(),
        "  requireEncrypted: true", "  ebsSnapshots: {}");

    ProcessResult run = Jar.run(environment(addon), "snapshot", "--config", config.toString());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(Jar.hasStackTrace(run)).as(run.toString()).isFalse();
    assertThat(Jar.messages(run)).singleElement().asString()
        .startsWith("etcd-snapshotter snapshot: EBS volume " + plain + " is not encrypted")
        .contains("aws.requireEncrypted is true")
        .endsWith("the snapshot files written are valid: snapshot.db (revision "
            + index("plain-refused").path("revision").asText() + ")");
    assertThat(work.resolve("plain-refused").resolve("snapshot.db")).exists();
    assertThat(moto.client().describeSnapshots(r -> r.filters(Filter.builder().name("volume-id").values(plain).build()))
        .snapshots()).isEmpty();
    assertThat(addon.events()).singleElement().satisfies(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getReason()).isEqualTo("SnapshotFailed");
      assertThat(e.getMessage()).contains("aws.requireEncrypted is true");
    });
  }

  /** A new EBS volume in moto; an unencrypted one is what an existing unencrypted gp2 class provisions. */
  private static String volume(boolean encrypted) {
    return moto.client().createVolume(r -> r.availabilityZone(MotoServer.REGION + "a").size(1).encrypted(encrypted))
        .volumeId();
  }

  /**
   * The addon installed into {@code namespace} just now, with its claim bound to {@code volume} as a PV of
   * {@code shape}; installing it last gives its ServiceAccount the ClusterRoleBinding that reads PVs.
   */
  private static AddonNamespace claimOn(String namespace, EbsVolumeShape shape, String volume) {
    return AddonNamespace.installOn(kube, admin, work.path(), namespace, shape, volume);
  }

  /** The jar's environment in the CronJob's pod: AWS credentials, and its ServiceAccount's token for the API. */
  private static Map<String, String> environment(AddonNamespace addon) {
    Map<String, String> environment = new HashMap<>(MotoServer.CREDENTIALS);
    environment.put("KUBECONFIG", addon.kubeconfig().toString());
    return environment;
  }

  /** A config saving main (and any cluster in {@code more}) into {@code volume}, recording the run on the claim. */
  private static Path config(String volume, AddonNamespace addon, String... more) {
    List<String> lines = new ArrayList<>(List.of("dir: " + work.resolve(volume), "clusterName: " + CLUSTER,
        "kubernetes: {namespace: " + addon.namespace() + ", pvc: " + PVC + "}",
        "clusters:", "  main:", "    endpoints: [" + etcd.endpoints() + "]"));
    lines.addAll(List.of(more));
    try {
      return Files.writeString(Files.createTempFile(work.path(), "config-", ".yaml"), String.join("\n", lines) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> volumeTags(String volume) {
    Map<String, String> tags = new HashMap<>();
    moto.client().describeVolumes(r -> r.volumeIds(volume)).volumes().get(0).tags()
        .forEach(t -> tags.put(t.key(), t.value()));
    return tags;
  }

  private static JsonNode index() {
    return index(VOLUME);
  }

  private static JsonNode index(String volume) {
    try {
      return Json.parse(Files.readString(work.resolve(volume).resolve("snapshots.json"))).path("clusters").path("main");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Snapshot> ourSnapshots() {
    return moto.client().describeSnapshots(r -> r.filters(
        Filter.builder().name("volume-id").values(volumeId).build(),
        Filter.builder().name("tag:" + CREATED_BY).values("etcd-snapshotter").build())).snapshots();
  }

  private static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }

  private static void sleepPastTheSecond() {
    try {
      Thread.sleep(1_100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
