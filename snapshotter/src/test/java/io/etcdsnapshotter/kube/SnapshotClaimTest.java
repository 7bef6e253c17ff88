package io.etcdsnapshotter.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Against fabric8's mock API server in CRUD mode: objects written are read back as a real API server would. */
class SnapshotClaimTest {
  private static final String NS = "kube-system";
  private static KubernetesMockServer server;
  private static KubernetesClient client;

  @BeforeAll
  static void startServer() {
    server = CrudApiServer.start();
    client = server.createClient();
  }

  @AfterAll
  static void stopServer() {
    client.close();
    server.destroy();
  }

  static Stream<Arguments> pvShapes() {
    return Stream.of(
        Arguments.of(PersistentVolumes.inTree("pv-intree", "aws://eu-west-1a/vol-0aaaaaaaaaaaaaaa1"),
            "vol-0aaaaaaaaaaaaaaa1"),
        Arguments.of(PersistentVolumes.migrated("pv-migrated", "aws:///vol-0bbbbbbbbbbbbbbb2"),
            "vol-0bbbbbbbbbbbbbbb2"),
        Arguments.of(PersistentVolumes.csi("pvc-0c1d", "ebs.csi.aws.com", "vol-0ccccccccccccccc3"),
            "vol-0ccccccccccccccc3"));
  }

  @ParameterizedTest
  @MethodSource("pvShapes")
  void findsTheEbsVolumeThroughThePvcAndItsPv(PersistentVolume pv, String volumeId) {
    String pvc = "claim-" + pv.getMetadata().getName();
    client.resource(pv).create();
    client.resource(PersistentVolumes.claim(NS, pvc, pv.getMetadata().getName())).create();

    assertThat(new SnapshotClaim(client, NS, pvc).ebsVolumeId()).isEqualTo(volumeId);
  }

  @Test
  void saysWhichPvcIsMissing() {
    assertThatThrownBy(() -> new SnapshotClaim(client, NS, "nope").ebsVolumeId())
        .isInstanceOf(KubeException.class)
        .hasMessage("PVC kube-system/nope does not exist: check kubernetes.namespace and kubernetes.pvc");
  }

  @Test
  void saysWhenThePvcIsNotBoundYet() {
    client.resource(PersistentVolumes.claim(NS, "pending", null)).create();
    assertThatThrownBy(() -> new SnapshotClaim(client, NS, "pending").ebsVolumeId())
        .hasMessageContaining("PVC kube-system/pending is not bound to a PV yet");
  }

  @Test
  void annotatesThePvcAndKeepsItsOtherAnnotations() {
    client.resource(PersistentVolumes.claim(NS, "annotated", "pv-x")).create();
    SnapshotClaim claim = new SnapshotClaim(client, NS, "annotated");

    claim.annotate(Map.of("etcd-snapshotter.io/main.revision", "41"));
    claim.annotate(Map.of("etcd-snapshotter.io/main.revision", "42", "etcd-snapshotter.io/last-result", "ok"));

    assertThat(client.persistentVolumeClaims().inNamespace(NS).withName("annotated").get().getMetadata()
        .getAnnotations())
        .containsEntry("etcd-snapshotter.io/main.revision", "42")
        .containsEntry("etcd-snapshotter.io/last-result", "ok")
        .containsEntry("volume.kubernetes.io/storage-provisioner", "ebs.csi.aws.com");
  }

  @Test
  void writesEventsOnThePvcThatDescribeShows() {
    client.resource(PersistentVolumes.claim(NS, "evented", "pv-y")).create();
    SnapshotClaim claim = new SnapshotClaim(client, NS, "evented");

    claim.event(false, "SnapshotSaved", "cluster main: saved snapshot.db at revision 7");
    claim.event(true, "SnapshotFailed", "cluster events: connection refused");

    String uid = client.persistentVolumeClaims().inNamespace(NS).withName("evented").get().getMetadata().getUid();
    List<Event> events = client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "evented".equals(e.getInvolvedObject().getName())).toList();
    assertThat(events).extracting(Event::getType, Event::getReason, Event::getMessage).containsExactlyInAnyOrder(
        tuple("Normal", "SnapshotSaved", "cluster main: saved snapshot.db at revision 7"),
        tuple("Warning", "SnapshotFailed", "cluster events: connection refused"));
    assertThat(events).allSatisfy(e -> {
      assertThat(e.getInvolvedObject().getKind()).isEqualTo("PersistentVolumeClaim");
      assertThat(e.getInvolvedObject().getUid()).isEqualTo(uid);
      assertThat(e.getSource().getComponent()).isEqualTo("etcd-snapshotter");
    });
  }

  @Test
  void saysWhenTheApiServerCannotBeReached() {
    server.destroy();
    try {
      assertThatThrownBy(() -> new SnapshotClaim(client, NS, "any").ebsVolumeId())
          .isInstanceOf(KubeException.class)
          .hasMessageStartingWith("Kubernetes: cannot read PVC kube-system/any: ")
          .hasMessageContaining("check KUBECONFIG or the pod's ServiceAccount");
    } finally {
      startServer();
    }
  }
}
