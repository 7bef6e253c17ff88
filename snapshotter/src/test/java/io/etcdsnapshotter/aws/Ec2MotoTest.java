package io.etcdsnapshotter.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.etcdsnapshotter.testing.FreePorts;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Tag;

/** Tags and EBS snapshots against moto's EC2, which starts out holding about 1,300 snapshots that are not ours. */
class Ec2MotoTest {
  private static MotoServer moto;
  private static Ec2 ec2;

  @BeforeAll
  static void startMoto() {
    moto = MotoServer.start();
    ec2 = Ec2.connect(MotoServer.REGION, moto.endpoint());
  }

  @AfterAll
  static void stopMoto() {
    if (ec2 != null) {
      ec2.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void tagsTheVolumeAndLeavesTheProvisionersTagsAlone() {
    String volume = volume(Map.of("kubernetes.io/created-for/pvc/name", "kube-etcd-snapshot-pvc"));
    VolumeTags tags = new VolumeTags(ec2);

    tags.write(volume, Map.of("etcd-snapshot", "true", "etcd-snapshotter/revision/main", "41"));
    tags.write(volume, Map.of("etcd-snapshotter/revision/main", "42"));

    assertThat(tags.read(volume)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "kubernetes.io/created-for/pvc/name", "kube-etcd-snapshot-pvc",
        "etcd-snapshot", "true",
        "etcd-snapshotter/revision/main", "42"));
  }

  @Test
  void expiresOnlyOurOwnSnapshotsOfThisVolumeAndKeepsTheNewest() throws InterruptedException {
    String volume = volume(Map.of());
    String neighbour = volume(Map.of());
    int accountBefore = allSnapshots().size();
    assertThat(accountBefore).as("moto's pre-seeded snapshots").isGreaterThan(1_000);
    String foreign = moto.client().createSnapshot(r -> r.volumeId(volume)).snapshotId(); // someone else's
    EbsSnapshots snapshots = new EbsSnapshots(ec2, "prod");
    String neighbours = snapshots.create(neighbour, Map.of(), "neighbour");
    List<String> ours = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ours.add(snapshots.create(volume, Map.of("etcd-snapshotter/revision/main", Integer.toString(i)), "run " + i));
      Thread.sleep(1_100); // start times have whole seconds: make the order of creation the order of time
    }

    List<String> expired = snapshots.expire(snapshots.list(volume), new Retention(2, null), Instant.now());

    assertThat(expired).containsExactlyInAnyOrder(ours.get(0), ours.get(1));
    assertThat(snapshots.list(volume)).extracting(Snapshot::snapshotId)
        .containsExactlyInAnyOrder(ours.get(2), ours.get(3));
    assertThat(allSnapshots()).extracting(Snapshot::snapshotId).contains(foreign, neighbours)
        .hasSize(accountBefore + 2 + 2);
  }

  @Test
  void tagsOurSnapshotsWithTheGivenTagsAndOurMarker() {
    String volume = volume(Map.of());
    String id =
        new EbsSnapshots(ec2, "prod").create(volume, Map.of("etcd-snapshotter/sha256/main", "ab".repeat(32)), "run");

    Snapshot snapshot = moto.client().describeSnapshots(r -> r.snapshotIds(id)).snapshots().get(0);
    assertThat(snapshot.volumeId()).isEqualTo(volume);
    assertThat(snapshot.tags()).extracting(Tag::key, Tag::value).contains(
        tuple("etcd-snapshotter/sha256/main", "ab".repeat(32)),
        tuple(EbsSnapshots.CREATED_BY, EbsSnapshots.CREATED_BY_VALUE),
        tuple(EbsSnapshots.CLUSTER, "prod"));
  }

  @Test
  void expiresOnlyThisClustersSnapshotsEvenOfTheSameVolume() throws InterruptedException {
    String volume = volume(Map.of());
    String staging = new EbsSnapshots(ec2, "staging").create(volume, Map.of(), "staging's run");
    Thread.sleep(1_100); // start times have whole seconds
    EbsSnapshots prod = new EbsSnapshots(ec2, "prod");
    String prods = prod.create(volume, Map.of(), "prod's run");

    List<String> expired = prod.expire(prod.list(volume), new Retention(1, null), Instant.now());

    assertThat(expired).isEmpty();
    assertThat(prod.list(volume)).extracting(Snapshot::snapshotId).containsExactly(prods);
    assertThat(moto.client().describeSnapshots(r -> r.snapshotIds(staging)).snapshots()).hasSize(1);
  }

  @Test
  void namesAnUnknownVolume() {
    assertThatThrownBy(() -> new VolumeTags(ec2).read("vol-0123456789abcdef0"))
        .isInstanceOf(AwsException.class)
        .hasMessageStartingWith("EC2 at " + moto.endpoint() + ": cannot describe volume vol-0123456789abcdef0: ")
        .hasMessageContaining("InvalidVolume.NotFound");
  }

  @Test
  void namesAnEndpointThatRefusesConnections() {
    URI refused = URI.create("http://127.0.0.1:" + FreePorts.one());
    try (Ec2 nowhere = Ec2.connect(MotoServer.REGION, refused)) {
      assertThatThrownBy(() -> new VolumeTags(nowhere).read("vol-0123456789abcdef0"))
          .isInstanceOf(AwsException.class)
          .hasMessageStartingWith("EC2 at " + refused + ": cannot describe volume vol-0123456789abcdef0: ")
          .hasMessageContaining("Connection refused");
    }
  }

  @Test
  void tellsAnEncryptedVolumeAndItsSnapshotFromAPlainOneAndItsSnapshot() {
    Encryption encryption = new Encryption(ec2);
    String encrypted = encryptedVolume(true);
    String plain = encryptedVolume(false);

    assertThat(encryption.volumeEncrypted(encrypted)).isTrue();
    assertThat(encryption.volumeEncrypted(plain)).isFalse();
    assertThat(encryption.snapshotEncrypted(moto.client().createSnapshot(r -> r.volumeId(encrypted)).snapshotId()))
        .isTrue();
    assertThat(encryption.snapshotEncrypted(moto.client().createSnapshot(r -> r.volumeId(plain)).snapshotId()))
        .isFalse();
    assertThatThrownBy(() -> encryption.volumeEncrypted("vol-0000000000000000f")).isInstanceOf(AwsException.class)
        .hasMessageStartingWith("EC2 at " + moto.endpoint() + ": cannot describe volume vol-0000000000000000f:"
            + " InvalidVolume.NotFound");
  }

  private static String encryptedVolume(boolean encrypted) {
    return moto.client().createVolume(r -> r.availabilityZone(MotoServer.REGION + "a").size(1).encrypted(encrypted))
        .volumeId();
  }

  private static String volume(Map<String, String> tags) {
    return moto.client().createVolume(r -> r.availabilityZone(MotoServer.REGION + "a").size(1)
        .tagSpecifications(t -> t.resourceType("volume").tags(VolumeTags.toTags(tags.isEmpty()
            ? Map.of("test", "yes") : tags)))).volumeId();
  }

  private static List<Snapshot> allSnapshots() {
    return moto.client().describeSnapshotsPaginator(r -> r.maxResults(1000)).snapshots().stream().toList();
  }
}
