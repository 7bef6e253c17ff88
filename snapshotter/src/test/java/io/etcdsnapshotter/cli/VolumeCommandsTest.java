package io.etcdsnapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.aws.BroughtBackVolumes;
import io.etcdsnapshotter.aws.EbsSnapshots;
import io.etcdsnapshotter.aws.Ec2;
import io.etcdsnapshotter.aws.MotoServer;
import io.etcdsnapshotter.testing.FreePorts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * volume-attach and volume-release as the restore runbook runs them, against moto with an instance of its own. moto
 * attaches nothing, so where a disk must appear the device asked for is one that exists ({@link #DISK}).
 */
class VolumeCommandsTest {
  private static final String ZONE = MotoServer.REGION + "b";
  private static final String CLUSTER = "prod";
  private static final String DISK = "/dev/null";
  private static MotoServer moto;
  private String instanceId;
  private String pvcTag;

  @BeforeAll
  static void startMoto() {
    moto = MotoServer.start();
  }

  @AfterAll
  static void stopMoto() {
    if (moto != null) {
      moto.close();
    }
  }

  @BeforeEach
  void launchInstance() {
    String image = moto.client().describeImages().images().get(0).imageId();
    instanceId = moto.client().runInstances(r -> r.imageId(image).minCount(1).maxCount(1)
        .placement(p -> p.availabilityZone(ZONE))).instances().get(0).instanceId();
    pvcTag = "pvc-" + instanceId;
  }

  @Test
  void bringsTheNewestSnapshotBackToThisInstanceAndReleasesIt() throws InterruptedException {
    snapshot("older");
    Thread.sleep(1_100); // start times have whole seconds
    String newest = snapshot("newer");

    CliRun attach = run("volume-attach", "--availability-zone", ZONE, "--device", DISK, "--tag",
        "kubernetes.io/created-for/pvc/name=" + pvcTag);

    assertThat(attach.exit()).as(attach.err()).isZero();
    assertThat(attach.out()).isEqualTo(DISK + System.lineSeparator());
    List<Volume> brought = broughtBack();
    assertThat(brought).singleElement().satisfies(v -> {
      assertThat(v.snapshotId()).isEqualTo(newest);
      assertThat(v.availabilityZone()).isEqualTo(ZONE);
      assertThat(v.attachments()).singleElement().satisfies(a -> {
        assertThat(a.instanceId()).isEqualTo(instanceId);
        assertThat(a.device()).isEqualTo(DISK);
      });
    });

    CliRun again = run("volume-attach", "--availability-zone", ZONE, "--device", DISK, "--tag",
        "kubernetes.io/created-for/pvc/name=" + pvcTag);
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(broughtBack()).extracting(Volume::volumeId).containsExactly(brought.get(0).volumeId());

    CliRun release = run("volume-release");
    assertThat(release.exit()).as(release.err()).isZero();
    assertThat(release.out()).contains("released " + brought.get(0).volumeId());
    assertThat(broughtBack()).isEmpty();

    CliRun nothing = run("volume-release");
    assertThat(nothing.exit()).as(nothing.err()).isZero();
    assertThat(nothing.out()).contains("no volume is brought back to " + instanceId);
  }

  @Test
  void bringsBackTheSnapshotGivenById() {
    snapshot("newer");
    String chosen = snapshot("chosen");

    CliRun attach = run("volume-attach", "--availability-zone", ZONE, "--snapshot-id", chosen, "--device", DISK);

    assertThat(attach.exit()).as(attach.err()).isZero();
    assertThat(broughtBack()).singleElement().extracting(Volume::snapshotId).isEqualTo(chosen);
    assertThat(run("volume-release").exit()).isZero();
  }

  @Test
  void latestIsTheNewestSnapshotOfThisClusterNeverAnothersOfTheSameAccount() throws InterruptedException {
    String ours = snapshot("prod's");
    Thread.sleep(1_100); // start times have whole seconds: staging's is the newest of the account
    snapshot("staging's", "staging");

    CliRun attach = run("volume-attach", "--availability-zone", ZONE, "--device", DISK, "--tag",
        "kubernetes.io/created-for/pvc/name=" + pvcTag);

    assertThat(attach.exit()).as(attach.err()).isZero();
    assertThat(broughtBack()).singleElement().satisfies(v -> {
      assertThat(v.snapshotId()).isEqualTo(ours);
      assertThat(v.tags()).contains(tag(EbsSnapshots.CLUSTER, CLUSTER));
    });
    assertThat(run("volume-release").exit()).isZero();
  }

  @Test
  void anotherClustersSnapshotByIdIsRefusedUnlessAllowed() {
    String staging = snapshot("staging's", "staging");

    CliRun refused = run("volume-attach", "--availability-zone", ZONE, "--device", DISK, "--snapshot-id", staging);

    assertThat(refused.exit()).isEqualTo(Main.EXIT_FAILED);
    assertThat(refused.err().strip()).isEqualTo("etcd-snapshotter volume-attach: EBS snapshot " + staging
        + " is of cluster staging, not of prod: give a snapshot of prod, or --allow-other-cluster to restore another"
        + " cluster's data on purpose");
    assertThat(broughtBack()).isEmpty();

    CliRun allowed = run("volume-attach", "--availability-zone", ZONE, "--device", DISK, "--snapshot-id", staging,
        "--allow-other-cluster");
    assertThat(allowed.exit()).as(allowed.err()).isZero();
    assertThat(broughtBack()).singleElement().extracting(Volume::snapshotId).isEqualTo(staging);
    assertThat(run("volume-release").exit()).isZero();
  }

  @Test
  void releaseDeletesOnlyWhatAttachCreatedNeverTheSnapshotVolumeTaggedToLookBroughtBack() {
    String source = snapshot("restored from");
    CliRun attach = run("volume-attach", "--availability-zone", ZONE, "--device", DISK, "--snapshot-id", source);
    assertThat(attach.exit()).as(attach.err()).isZero();
    String restoreVolume = broughtBack().get(0).volumeId();
    // The PVC's volume, tagged by a role that may tag it (the CronJob's) with every tag a brought-back volume has.
    String pvcVolume = moto.client().createVolume(r -> r.availabilityZone(ZONE).size(1).tagSpecifications(t -> t
        .resourceType("volume").tags(tag("kubernetes.io/created-for/pvc/name", pvcTag),
            tag("kubernetes.io/created-for/pv/name", "pvc-0a1b"), tag(BroughtBackVolumes.TO, instanceId),
            tag(BroughtBackVolumes.FROM, source), tag(EbsSnapshots.CLUSTER, CLUSTER)))).volumeId();
    moto.client().attachVolume(r -> r.volumeId(pvcVolume).instanceId(instanceId).device("/dev/sdh"));

    CliRun release = run("volume-release");

    assertThat(release.exit()).isEqualTo(Main.EXIT_FAILED);
    assertThat(release.out()).contains("released " + restoreVolume);
    assertThat(release.err().strip()).endsWith("\netcd-snapshotter volume-release: left volume " + pvcVolume
        + " alone: it carries tag kubernetes.io/created-for/pvc/name, so it may back a PersistentVolume or be the"
        + " snapshot volume; look at it and delete it by hand if it is a restore's");
    assertThat(broughtBack()).extracting(Volume::volumeId).containsExactly(pvcVolume);
    assertThat(broughtBack().get(0).attachments()).singleElement()
        .satisfies(a -> assertThat(a.instanceId()).isEqualTo(instanceId));
  }

  @Test
  void releaseLeavesAVolumeNotCreatedFromTheSnapshotItNames() {
    String source = snapshot("named");
    String blank = moto.client().createVolume(r -> r.availabilityZone(ZONE).size(1).tagSpecifications(t -> t
        .resourceType("volume").tags(tag(BroughtBackVolumes.TO, instanceId), tag(BroughtBackVolumes.FROM, source),
            tag(EbsSnapshots.CLUSTER, CLUSTER)))).volumeId();

    CliRun release = run("volume-release");

    assertThat(release.exit()).isEqualTo(Main.EXIT_FAILED);
    assertThat(release.err()).contains("left volume " + blank + " alone: it was not created from the snapshot its "
        + BroughtBackVolumes.FROM + " tag names");
    assertThat(broughtBack()).extracting(Volume::volumeId).containsExactly(blank);
    CliRun attach = run("volume-attach", "--availability-zone", ZONE, "--device", DISK, "--snapshot-id", source);
    assertThat(attach.exit()).as(attach.err()).isZero();
    assertThat(broughtBack()).as("attach does not reuse it either").hasSize(2);
  }

  @Test
  void failsInOneLineWhenTheDiskNeverAppears() {
    String source = snapshot("attached but unseen");

    CliRun attach = run("volume-attach", "--availability-zone", ZONE, "--snapshot-id", source,
        "--device", "/dev/sdf");

    assertThat(attach.exit()).isEqualTo(Main.EXIT_FAILED);
    String volume = broughtBack().get(0).volumeId();
    assertThat(attach.out()).isEmpty();
    assertThat(attach.err().strip()).endsWith("\netcd-snapshotter volume-attach: volume " + volume + " is attached,"
        + " but neither /dev/sdf nor /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_" + volume.replace("-", "")
        + " appeared within 1s: look at lsblk and dmesg, run volume-attach again to wait longer (--device-timeout), or"
        + " volume-release to give the volume back");
    assertThat(run("volume-release").exit()).isZero();
  }

  @Test
  void theClusterNameIsRequired() {
    CliRun attach = CliRun.of("volume-attach", "--region", MotoServer.REGION, "--endpoint", moto.endpoint().toString(),
        "--instance-id", instanceId, "--availability-zone", ZONE);

    assertThat(attach.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(attach.err()).contains("Missing required option: '--cluster-name=NAME'");
    assertThat(run("volume-release", "--cluster-name", "not a name").err())
        .contains("--cluster-name 'not a name' is not a cluster name");
  }

  @Test
  void failsInOneLineWhenNoSnapshotMatches() {
    CliRun attach =
        run("volume-attach", "--availability-zone", ZONE, "--tag", "kubernetes.io/created-for/pvc/name=none");

    assertThat(attach.exit()).isEqualTo(Main.EXIT_FAILED);
    assertThat(attach.err().strip()).isEqualTo("etcd-snapshotter volume-attach: no completed EBS snapshot of"
        + " etcd-snapshotter for cluster prod tagged {kubernetes.io/created-for/pvc/name=none} in this account and"
        + " region");
    assertThat(broughtBack()).isEmpty();
  }

  @Test
  void failsInOneLineForAnUnknownSnapshotId() {
    CliRun attach = run("volume-attach", "--availability-zone", ZONE, "--snapshot-id", "snap-0123456789abcdef0");

    assertThat(attach.exit()).isEqualTo(Main.EXIT_FAILED);
    assertThat(attach.err()).startsWith("etcd-snapshotter volume-attach: EC2 at " + moto.endpoint()
        + ": cannot describe snapshot snap-0123456789abcdef0: ").contains("InvalidSnapshot.NotFound")
        .doesNotContain("\tat ");
  }

  @Test
  void anEndpointThatRefusesConnectionsIsAOneLineFailure() {
    String refused = "http://127.0.0.1:" + FreePorts.one();

    CliRun release = CliRun.of("volume-release", "--region", MotoServer.REGION, "--endpoint", refused,
        "--instance-id", instanceId, "--cluster-name", CLUSTER);

    assertThat(release.exit()).isEqualTo(Main.EXIT_FAILED);
    assertThat(release.err().strip()).startsWith("etcd-snapshotter volume-release: EC2 at " + refused
        + ": cannot list the volumes brought back to " + instanceId + ": ").contains("Connection refused")
        .doesNotContain("\n");
  }

  @Test
  void aVolumeOfAnotherSnapshotBroughtBackBeforeIsNotReusedForASnapshotId() {
    String first = snapshot("first");
    String second = snapshot("second");
    CliRun attach = run("volume-attach", "--availability-zone", ZONE, "--snapshot-id", first, "--device", DISK);
    assertThat(attach.exit()).as(attach.err()).isZero();

    CliRun other = run("volume-attach", "--availability-zone", ZONE, "--snapshot-id", second, "--device", DISK);

    assertThat(other.exit()).isEqualTo(Main.EXIT_FAILED);
    assertThat(other.err().strip()).isEqualTo("etcd-snapshotter volume-attach: the volume brought back to "
        + instanceId + " before is from EBS snapshot " + first + ", not " + second + ": release it (volume-release)"
        + " to bring " + second + " back, or give --snapshot-id " + first);
    assertThat(broughtBack()).singleElement().extracting(Volume::snapshotId).isEqualTo(first);
    assertThat(run("volume-attach", "--availability-zone", ZONE, "--snapshot-id", first, "--device", DISK).exit())
        .isZero();
    assertThat(run("volume-release").exit()).isZero();
  }

  @Test
  void resolveOnlyPrintsTheSnapshotLatestNamesAndBringsNothingBack() throws InterruptedException {
    snapshot("older");
    Thread.sleep(1_100); // start times have whole seconds
    String newest = snapshot("newer");
    String staging = snapshot("staging's", "staging");

    CliRun latest = run("volume-attach", "--resolve-only", "--tag", "kubernetes.io/created-for/pvc/name=" + pvcTag);
    CliRun byId = run("volume-attach", "--resolve-only", "--snapshot-id", staging);

    assertThat(latest.exit()).as(latest.err()).isZero();
    assertThat(latest.out()).isEqualTo(newest + System.lineSeparator());
    assertThat(byId.exit()).isEqualTo(Main.EXIT_FAILED);
    assertThat(byId.err()).contains("EBS snapshot " + staging + " is of cluster staging, not of prod");
    assertThat(broughtBack()).isEmpty();
  }

  @Test
  void refusesADeviceThatIsNoPath() {
    CliRun attach = run("volume-attach", "--availability-zone", ZONE, "--device", "sdf");

    assertThat(attach.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(attach.err()).contains("--device 'sdf' must be a device path such as /dev/sdf");
  }

  private CliRun run(String command, String... more) {
    List<String> args = new ArrayList<>(List.of(command, "--region", MotoServer.REGION,
        "--endpoint", moto.endpoint().toString(), "--instance-id", instanceId));
    if (!List.of(more).contains("--cluster-name")) {
      args.addAll(List.of("--cluster-name", CLUSTER));
    }
    if (command.equals("volume-attach")) {
      args.addAll(List.of("--device-timeout", "1s"));
    }
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  /** An EBS snapshot as the snapshot command of cluster prod takes them, of a volume of this test's own PVC. */
  private String snapshot(String description) {
    return snapshot(description, CLUSTER);
  }

  private String snapshot(String description, String cluster) {
    String volume = moto.client().createVolume(r -> r.availabilityZone(MotoServer.REGION + "a").size(1))
        .volumeId();
    try (Ec2 ec2 = Ec2.connect(MotoServer.REGION, moto.endpoint())) {
      return new EbsSnapshots(ec2, cluster)
          .create(volume, Map.of("kubernetes.io/created-for/pvc/name", pvcTag), description);
    }
  }

  private static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }

  private List<Volume> broughtBack() {
    return moto.client().describeVolumes(r -> r.filters(Filter.builder().name("tag:" + BroughtBackVolumes.TO)
        .values(instanceId).build())).volumes();
  }
}
