package io.etcdsnapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.etcdsnapshotter.aws.MotoServer;
import io.etcdsnapshotter.config.PublishConfig;
import io.etcdsnapshotter.kube.CrudApiServer;
import io.etcdsnapshotter.kube.PersistentVolumes;
import io.etcdsnapshotter.volume.DrillOutcome;
import io.etcdsnapshotter.volume.SnapshotIndex;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * The publish step against the mock API server in CRUD mode; the client finds the server the way the jar finds any
 * (fabric8's configuration, here its system properties). The encryption checks also need EC2: moto, started by the
 * first test that needs it (they skip without it).
 */
class PublicationTest {
  private static final String NS = "kube-system";
  private static final Instant AT = Instant.parse("2026-06-30T06:02:00Z");
  private static KubernetesMockServer server;
  private static KubernetesClient client;
  private static MotoServer moto;

  @BeforeAll
  static void startServer() {
    server = CrudApiServer.start();
    client = server.createClient();
    System.setProperty(Config.KUBERNETES_MASTER_SYSTEM_PROPERTY, client.getMasterUrl().toString());
    System.setProperty(Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY, "false");
    System.setProperty(Config.KUBERNETES_AUTH_TRYSERVICEACCOUNT_SYSTEM_PROPERTY, "false");
  }

  @AfterAll
  static void stopServer() {
    System.clearProperty(Config.KUBERNETES_MASTER_SYSTEM_PROPERTY);
    System.clearProperty(Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY);
    System.clearProperty(Config.KUBERNETES_AUTH_TRYSERVICEACCOUNT_SYSTEM_PROPERTY);
    client.close();
    server.destroy();
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void aRunWithAFailedClusterIsRecordedAsFailedWithAWarningAndTheGoodFileAnnotated() {
    client.resource(PersistentVolumes.claim(NS, "partly", "pv-1")).create();
    List<ClusterOutcome> clusters = List.of(saved("main", 41), failed("events", "connection refused"));

    PublishOutcome outcome = publication("partly").publish(clusters, AT);

    assertThat(outcome.ok()).as(outcome.failure()).isTrue();
    assertThat(annotations("partly"))
        .containsEntry("etcd-snapshotter.io/last-result", "failed")
        .containsEntry("etcd-snapshotter.io/last-run", AT.toString())
        .containsEntry("etcd-snapshotter.io/main.revision", "41")
        .containsEntry("etcd-snapshotter.io/main.sha256", "ab".repeat(32))
        .doesNotContainKey("etcd-snapshotter.io/events.revision");
    assertThat(events("partly")).singleElement().satisfies(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getReason()).isEqualTo("SnapshotFailed");
      assertThat(e.getMessage()).isEqualTo("cluster events (http://127.0.0.1:4002): connection refused");
    });
  }

  @Test
  void aFailedDrillIsAnnotatedAndAWarningThatKeepsTheFile() {
    client.resource(PersistentVolumes.claim(NS, "drilled", "pv-1")).create();
    List<ClusterOutcome> clusters = List.of(saved("main", 41).withDrill(DrillOutcome.ok(1.25, 41)),
        saved("events", 9).withDrill(DrillOutcome.failed(0.5, "restored data dir failed its check")));

    PublishOutcome outcome = publication("drilled").publish(clusters, AT);

    assertThat(outcome.ok()).as(outcome.failure()).isTrue();
    assertThat(annotations("drilled"))
        .containsEntry("etcd-snapshotter.io/last-result", "failed")
        .containsEntry("etcd-snapshotter.io/main.drill", "ok: revision 41 restored and checked in 1.3 s")
        .containsEntry("etcd-snapshotter.io/events.drill", "failed: restored data dir failed its check")
        .containsEntry("etcd-snapshotter.io/events.revision", "9");
    assertThat(events("drilled")).singleElement().satisfies(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getMessage()).isEqualTo("cluster events (http://127.0.0.1:2379): saved snapshot-events.db at"
          + " revision 9 but its restore drill failed: restored data dir failed its check; snapshot-events.db is"
          + " kept: it is still the newest data");
    });
  }

  @Test
  void aMissingPvcFailsThePublishAndVouchesForTheFilesWritten() {
    List<ClusterOutcome> clusters = List.of(saved("main", 7), saved("events", 9));

    PublishOutcome outcome = publication("absent").publish(clusters, AT);

    assertThat(outcome.failure()).isEqualTo("PVC kube-system/absent does not exist: check kubernetes.namespace and"
        + " kubernetes.pvc; the snapshot files written are valid: snapshot-main.db (revision 7),"
        + " snapshot-events.db (revision 9)");
  }

  @Test
  void withNothingConfiguredNothingIsPublished() {
    assertThat(new Publication(PublishConfig.NONE).publish(List.of(saved("main", 1)), AT))
        .isEqualTo(PublishOutcome.NONE);
  }

  @Test
  void aPlainVolumeAndItsSnapshotAreWarnedAboutAndAnnotatedAndTheRunSucceeds() {
    String volume = claimOnVolume("plain", false);

    PublishOutcome outcome = encryptionChecked("plain", false).publish(List.of(saved("main", 41)), AT);

    assertThat(outcome.ok()).as(outcome.failure()).isTrue();
    assertThat(annotations("plain")).containsEntry("etcd-snapshotter.io/volume-encrypted", "false")
        .containsKey("etcd-snapshotter.io/ebs-snapshot");
    String snapshot = annotations("plain").get("etcd-snapshotter.io/ebs-snapshot");
    assertThat(events("plain")).extracting(Event::getType, Event::getReason, Event::getMessage).containsExactly(
        tuple("Normal", "SnapshotSaved",
            "cluster main (http://127.0.0.1:2379): saved snapshot-main.db at revision 41"),
        tuple("Warning", "NotEncrypted", "EBS volume " + volume
            + " is not encrypted, yet the snapshot files hold every Secret of the cluster: give the PVC an encrypted"
            + " volume (StorageClass parameter encrypted: \"true\", or EBS encryption by default)"),
        tuple("Warning", "NotEncrypted", "EBS snapshot " + snapshot
            + " is not encrypted, yet the snapshot files hold every Secret of the cluster: give the PVC an encrypted"
            + " volume (StorageClass parameter encrypted: \"true\", or EBS encryption by default)"));
  }

  @Test
  void requireEncryptedFailsOnAPlainVolumeInOneLineBeforeCopyingItAndVouchesForTheFiles() {
    String volume = claimOnVolume("required", false);

    PublishOutcome outcome = encryptionChecked("required", true).publish(List.of(saved("main", 41)), AT);

    assertThat(outcome.failure()).isEqualTo("EBS volume " + volume + " is not encrypted, yet the snapshot files"
        + " hold every Secret of the cluster: aws.requireEncrypted is true; give the PVC an encrypted volume"
        + " (StorageClass parameter encrypted: \"true\", or EBS encryption by default); the snapshot files written"
        + " are valid: snapshot-main.db (revision 41)");
    assertThat(moto().client().describeSnapshots(r -> r.filters(
        Filter.builder().name("volume-id").values(volume).build())).snapshots()).isEmpty();
    assertThat(events("required")).singleElement().satisfies(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getReason()).isEqualTo("SnapshotFailed");
      assertThat(e.getMessage()).contains("aws.requireEncrypted is true");
    });
  }

  @Test
  void anEncryptedVolumeIsAnnotatedAsSuchWithoutAWarning() {
    claimOnVolume("encrypted", true);

    PublishOutcome outcome = encryptionChecked("encrypted", true).publish(List.of(saved("main", 41)), AT);

    assertThat(outcome.ok()).as(outcome.failure()).isTrue();
    assertThat(annotations("encrypted")).containsEntry("etcd-snapshotter.io/volume-encrypted", "true");
    assertThat(events("encrypted")).extracting(Event::getType).containsExactly("Normal");
  }

  /** A PVC bound to a new EBS volume in moto; returns the volume's id. */
  private static String claimOnVolume(String pvc, boolean encrypted) {
    String volume = moto().client().createVolume(r -> r.availabilityZone(MotoServer.REGION + "a").size(1)
        .encrypted(encrypted)).volumeId();
    client.resource(PersistentVolumes.csi("pv-" + pvc, "ebs.csi.aws.com", volume)).create();
    client.resource(PersistentVolumes.claim(NS, pvc, "pv-" + pvc)).create();
    return volume;
  }

  private static Publication encryptionChecked(String pvc, boolean requireEncrypted) {
    return new Publication(new PublishConfig(new PublishConfig.Kubernetes(NS, pvc),
        new PublishConfig.Aws("prod", MotoServer.REGION, moto().endpoint(), null, Map.of("etcd-snapshot", "true"),
            new PublishConfig.EbsSnapshots(0, null), requireEncrypted, false)));
  }

  private static MotoServer moto() {
    if (moto == null) {
      moto = MotoServer.start();
    }
    return moto;
  }

  private static Map<String, String> annotations(String pvc) {
    return client.persistentVolumeClaims().inNamespace(NS).withName(pvc).get().getMetadata().getAnnotations();
  }

  private static Publication publication(String pvc) {
    return new Publication(new PublishConfig(new PublishConfig.Kubernetes(NS, pvc), null));
  }

  private static List<Event> events(String pvc) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> pvc.equals(e.getInvolvedObject().getName())).toList();
  }

  private static ClusterOutcome saved(String cluster, long revision) {
    SnapshotIndex.Entry entry = new SnapshotIndex.Entry();
    entry.file = "snapshot-" + cluster + ".db";
    entry.revision = revision;
    entry.sha256 = "ab".repeat(32);
    entry.takenAt = AT.toString();
    return new ClusterOutcome(cluster, "http://127.0.0.1:2379", entry, null);
  }

  private static ClusterOutcome failed(String cluster, String why) {
    return new ClusterOutcome(cluster, "http://127.0.0.1:4002", null, why);
  }
}
