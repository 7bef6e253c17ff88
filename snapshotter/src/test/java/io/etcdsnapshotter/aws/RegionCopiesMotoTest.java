package io.etcdsnapshotter.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Snapshot;

/** Copies of the EBS snapshots into another region, against moto's EC2 in two regions. */
class RegionCopiesMotoTest {
  private static final String OTHER_REGION = MotoServer.OTHER_REGION;
  private static MotoServer moto;
  private static Ec2 source;
  private static Ec2 other;

  @BeforeAll
  static void startMoto() {
    moto = MotoServer.start();
    source = Ec2.connect(MotoServer.REGION, moto.endpoint());
    other = Ec2.connect(OTHER_REGION, moto.endpoint());
  }

  @AfterAll
  static void stopMoto() {
    for (AutoCloseable resource : new AutoCloseable[] {source, other, moto}) {
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
  void copiesTheNewestSnapshotOnceKeepsItsFactsAndExpiresOldCopiesThere() throws InterruptedException {
    String volume = volume();
    EbsSnapshots prod = new EbsSnapshots(source, "prod");
    String first = prod.create(volume, Map.of("etcd-snapshotter/sha256/main", "ab".repeat(32)), "run 1");
    Thread.sleep(1_100); // start times have whole seconds
    new EbsSnapshots(source, "staging").create(volume, Map.of(), "another cluster's run of the same volume");
    RegionCopies copies = new RegionCopies(source, prod, "prod");

    String did = update(copies, volume, 1);
    String again = update(copies, volume, 1);

    EbsSnapshots there = new EbsSnapshots(other, "prod");
    Snapshot copy = there.copiesOf(volume).get(0);
    assertThat(did).isEqualTo("copying EBS snapshot " + first + " to " + OTHER_REGION + " as " + copy.snapshotId());
    assertThat(again).isEqualTo("EBS snapshot " + first + " is in " + OTHER_REGION + " already");
    assertThat(VolumeTags.toMap(copy.tags())).containsEntry(EbsSnapshots.COPY_OF, first)
        .containsEntry(EbsSnapshots.COPY_OF_VOLUME, volume).containsEntry(EbsSnapshots.CLUSTER, "prod")
        .containsEntry(EbsSnapshots.CREATED_BY, EbsSnapshots.CREATED_BY_VALUE)
        .containsEntry("etcd-snapshotter/sha256/main", "ab".repeat(32));
    assertThat(copy.encrypted()).isTrue();
    assertThat(copy.kmsKeyId()).isEqualTo("alias/etcd-dr");
    assertThat(new BroughtBackVolumes(other, "prod", Duration.ofMillis(100), Duration.ofMinutes(1))
        .newest(Map.of()).snapshotId()).as("what volume-attach brings back as latest in the other region")
        .isEqualTo(copy.snapshotId());

    Thread.sleep(1_100);
    String second = prod.create(volume, Map.of(), "run 2");
    String replaced = update(copies, volume, 1);

    List<Snapshot> left = there.copiesOf(volume);
    assertThat(left).singleElement().satisfies(s -> assertThat(VolumeTags.toMap(s.tags()))
        .containsEntry(EbsSnapshots.COPY_OF, second));
    assertThat(replaced).startsWith("copying EBS snapshot " + second + " to " + OTHER_REGION + " as ")
        .endsWith("; expired in " + OTHER_REGION + " " + copy.snapshotId());
    assertThat(new EbsSnapshots(other, "staging").copiesOf(volume)).as("another cluster's").isEmpty();
  }

  @Test
  void aVolumeWithoutASnapshotHasNothingToCopy() {
    String volume = volume();
    assertThat(update(new RegionCopies(source, new EbsSnapshots(source, "prod"), "prod"), volume, 0))
        .isEqualTo("no completed EBS snapshot of " + volume + " to copy to " + OTHER_REGION + " yet");
  }

  private static String update(RegionCopies copies, String volume, int keep) {
    return copies.update(volume, OTHER_REGION, "alias/etcd-dr", new Retention(keep, null), moto.endpoint(), true,
        Instant.now());
  }

  private static String volume() {
    return source.client().createVolume(r -> r.availabilityZone(MotoServer.REGION + "a").size(1).encrypted(true))
        .volumeId();
  }
}
