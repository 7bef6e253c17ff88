package io.etcdsnapshotter.e2e.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Json;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.fs.TempDirectory;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The CronJob's run end to end: a real etcd, the jar's {@code snapshot} finding its EBS volume through the PVC on
 * a mock API server, tagging it and taking EBS snapshots in moto, three runs in a row with {@code keep: 2}.
 */
class PublishTest {
  private static final String NS = "kube-system";
  private static final String PVC = "kube-etcd-snapshot-pvc";
  private static final String CREATED_BY = "etcd-snapshotter/created-by";
  private static final String VOLUME = "volume";
  private static final String CLUSTER = "prod";
  private static EtcdCluster etcd;
  private static Moto moto;
  private static MockApiServer kube;
  private static TempDirectory work;
  private static Map<String, String> environment;
  private static String volumeId;
  private static final List<ProcessResult> runs = new ArrayList<>();

  @BeforeAll
  static void runThreeTimes() {
    etcd = EtcdCluster.start(EtcdVersion.V3_5, 1, Security.PLAIN);
    moto = Moto.start();
    kube = MockApiServer.start();
    work = TempDirectory.create("e2e-publish-");
    volumeId = moto.ec2().createVolume(r -> r.availabilityZone(Moto.REGION + "a").size(1).encrypted(true)
        .tagSpecifications(t -> t.resourceType("volume").tags(tag("kubernetes.io/created-for/pvc/name", PVC))))
        .volumeId();
    bindPvcTo(volumeId);
    environment = new HashMap<>(Moto.CREDENTIALS);
    environment.put("KUBECONFIG", kube.writeKubeconfig(work.resolve("kubeconfig")).toString());
    Path config = config(VOLUME, "aws:", "  endpoint: " + moto.endpoint(), "  ebsSnapshots: {keep: 2}");
    for (int i = 0; i < 3; i++) {
      etcd.etcdctl().ok("put", "/registry/run", Integer.toString(i)); // each run saves a newer revision
      runs.add(Jar.run(environment, "snapshot", "--config", config.toString()));
      sleepPastTheSecond(); // EBS start times have whole seconds: runs must differ in them to be ordered
    }
  }

  @AfterAll
  static void stopEverything() {
    for (AutoCloseable resource : new AutoCloseable[] {etcd, moto, kube, work}) {
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
    Map<String, String> tags = new HashMap<>();
    moto.ec2().describeVolumes(r -> r.volumeIds(volumeId)).volumes().get(0).tags()
        .forEach(t -> tags.put(t.key(), t.value()));
    assertThat(tags).containsEntry("etcd-snapshot", "true")
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
  void aVolumeTaggedForAnotherClusterGetsNoSnapshotOfThisOne() {
    String staging = moto.ec2().createVolume(r -> r.availabilityZone(Moto.REGION + "a").size(1).tagSpecifications(
        t -> t.resourceType("volume").tags(tag("etcd-snapshotter/cluster", "staging")))).volumeId();
    Path config = config("other-clusters-volume", "aws:", "  endpoint: " + moto.endpoint(), "  volumeId: " + staging,
        "  ebsSnapshots: {}");

    ProcessResult run = Jar.run(environment, "snapshot", "--config", config.toString());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(Jar.messages(run)).singleElement().asString().startsWith("etcd-snapshotter snapshot: EBS volume "
        + staging + " is tagged etcd-snapshotter/cluster=staging, not prod: it holds another cluster's snapshots");
    assertThat(moto.ec2().describeSnapshots(r -> r.filters(Filter.builder().name("volume-id").values(staging).build()))
        .snapshots()).isEmpty();
  }

  @Test
  void recordsTheRunOnThePvcForKubectlDescribe() {
    Map<String, String> annotations = annotations(PVC);
    assertThat(annotations)
        .containsEntry("etcd-snapshotter.io/main.revision", index().path("revision").asText())
        .containsEntry("etcd-snapshotter.io/main.sha256", index().path("sha256").asText())
        .containsEntry("etcd-snapshotter.io/last-result", "ok")
        .containsEntry("etcd-snapshotter.io/volume-encrypted", "true");
    String newestId = ourSnapshots().stream().max(Comparator.comparing(Snapshot::startTime))
        .orElseThrow().snapshotId();
    assertThat(annotations).containsEntry("etcd-snapshotter.io/ebs-snapshot", newestId);
    assertThat(events()).filteredOn(e -> e.getType().equals("Normal"))
        .extracting(Event::getReason).containsExactly("SnapshotSaved", "SnapshotSaved", "SnapshotSaved");
  }

  @Test
  void aFailedPublishExitsOneWithAWarningAndVouchesForTheFiles() {
    Path config = config("failed-volume", "aws:", "  endpoint: " + moto.endpoint(),
        "  volumeId: vol-0000000000000000f");

    ProcessResult run = Jar.run(environment, "snapshot", "--config", config.toString());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(Jar.hasStackTrace(run)).as(run.toString()).isFalse();
    assertThat(Jar.messages(run)).singleElement().asString()
        .startsWith("etcd-snapshotter snapshot: EC2 at " + moto.endpoint() + ": cannot describe volume"
            + " vol-0000000000000000f: InvalidVolume.NotFound")
        .endsWith("the snapshot files written are valid: snapshot.db (revision "
            + index("failed-volume").path("revision").asText() + ")");
    assertThat(events()).filteredOn(e -> e.getType().equals("Warning"))
        .filteredOn(e -> e.getMessage().contains("vol-0000000000000000f")).singleElement()
        .satisfies(e -> assertThat(e.getMessage()).contains("InvalidVolume.NotFound"));
  }

  @Test
  void aPlainVolumeIsAWarningEventByDefault() {
    String plain = plainVolume("plain-warned");
    Path config = configOnClaim("plain-warned", "plain-warned", "aws:", "  endpoint: " + moto.endpoint());

    ProcessResult run = Jar.run(environment, "snapshot", "--config", config.toString());

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.stderr()).contains("WARN  EBS volume " + plain + " is not encrypted");
    assertThat(annotations("plain-warned")).containsEntry("etcd-snapshotter.io/volume-encrypted", "false");
    assertThat(events("plain-warned")).filteredOn(e -> e.getReason().equals("NotEncrypted")).singleElement()
        .satisfies(e -> assertThat(e.getMessage()).startsWith("EBS volume " + plain + " is not encrypted"));
  }

  @Test
  void aPlainVolumeFailsTheRunWithRequireEncryptedInOneLineAndTheFilesStay() {
    String plain = plainVolume("plain-refused");
    Path config = configOnClaim("plain-refused", "plain-refused", "aws:", "  endpoint: " + moto.endpoint(),
        "  requireEncrypted: true");

    ProcessResult run = Jar.run(environment, "snapshot", "--config", config.toString());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(Jar.hasStackTrace(run)).as(run.toString()).isFalse();
    assertThat(Jar.messages(run)).singleElement().asString()
        .startsWith("etcd-snapshotter snapshot: EBS volume " + plain + " is not encrypted")
        .contains("aws.requireEncrypted is true")
        .endsWith("the snapshot files written are valid: snapshot.db (revision "
            + index("plain-refused").path("revision").asText() + ")");
    assertThat(work.resolve("plain-refused").resolve("snapshot.db")).exists();
  }

  /** An unencrypted volume behind a PVC of its own, as an existing unencrypted gp2 class would provision it. */
  private static String plainVolume(String pvc) {
    String plain = moto.ec2().createVolume(r -> r.availabilityZone(Moto.REGION + "a").size(1).encrypted(false))
        .volumeId();
    bind(pvc, plain);
    return plain;
  }

  private static Path config(String volume, String... aws) {
    return configOnClaim(volume, PVC, aws);
  }

  private static Path configOnClaim(String volume, String pvc, String... aws) {
    List<String> lines = new ArrayList<>(List.of("dir: " + work.resolve(volume), "clusterName: " + CLUSTER,
        "clusters:", "  main:", "    endpoints: [" + etcd.endpoints() + "]", "kubernetes: {pvc: " + pvc + "}"));
    lines.addAll(List.of(aws));
    try {
      return Files.writeString(Files.createTempFile(work.path(), "config-", ".yaml"), String.join("\n", lines) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void bindPvcTo(String volume) {
    bind(PVC, volume);
  }

  private static void bind(String pvc, String volume) {
    kube.client().resource(new PersistentVolumeBuilder().withNewMetadata().withName("pv-" + pvc).endMetadata()
        .withNewSpec().addToCapacity("storage", new Quantity("1Gi")).withAccessModes("ReadWriteOnce")
        .withNewCsi().withDriver("ebs.csi.aws.com").withVolumeHandle(volume).endCsi().endSpec().build()).create();
    kube.client().resource(new PersistentVolumeClaimBuilder().withNewMetadata().withNamespace(NS).withName(pvc)
        .endMetadata().withNewSpec().withVolumeName("pv-" + pvc).withAccessModes("ReadWriteOnce").endSpec().build())
        .create();
  }

  private static Map<String, String> annotations(String pvc) {
    return kube.client().persistentVolumeClaims().inNamespace(NS).withName(pvc).get().getMetadata().getAnnotations();
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
    return moto.ec2().describeSnapshots(r -> r.filters(
        Filter.builder().name("volume-id").values(volumeId).build(),
        Filter.builder().name("tag:" + CREATED_BY).values("etcd-snapshotter").build())).snapshots();
  }

  private static List<Event> events() {
    return events(PVC);
  }

  private static List<Event> events(String pvc) {
    return kube.client().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> pvc.equals(e.getInvolvedObject().getName())).toList();
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
