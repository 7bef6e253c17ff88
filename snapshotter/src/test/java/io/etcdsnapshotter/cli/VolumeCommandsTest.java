package io.etcdsnapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.aws.BroughtBackVolumes;
import io.etcdsnapshotter.aws.EbsSnapshots;
import io.etcdsnapshotter.aws.Ec2;
import io.etcdsnapshotter.aws.MotoServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Volume;

/** volume-attach and volume-release as the restore runbook runs them, against moto with an instance of its own. */
class VolumeCommandsTest {
  private static final String ZONE = MotoServer.REGION + "b";
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

    CliRun attach = run("volume-attach", "--availability-zone", ZONE, "--tag",
        "kubernetes.io/created-for/pvc/name=" + pvcTag);

    assertThat(attach.exit()).as(attach.err()).isZero();
    assertThat(attach.out()).isEqualTo("/dev/sdf" + System.lineSeparator());
    List<Volume> brought = broughtBack();
    assertThat(brought).singleElement().satisfies(v -> {
      assertThat(v.snapshotId()).isEqualTo(newest);
      assertThat(v.availabilityZone()).isEqualTo(ZONE);
      assertThat(v.attachments()).singleElement().satisfies(a -> {
        assertThat(a.instanceId()).isEqualTo(instanceId);
        assertThat(a.device()).isEqualTo("/dev/sdf");
      });
    });

    CliRun again = run("volume-attach", "--availability-zone", ZONE, "--tag",
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

    CliRun attach = run("volume-attach", "--availability-zone", ZONE, "--snapshot-id", chosen, "--device", "/dev/sdg");

    assertThat(attach.exit()).as(attach.err()).isZero();
    assertThat(broughtBack()).singleElement().extracting(Volume::snapshotId).isEqualTo(chosen);
    assertThat(run("volume-release").exit()).isZero();
  }

  @Test
  void failsInOneLineWhenNoSnapshotMatches() {
    CliRun attach =
        run("volume-attach", "--availability-zone", ZONE, "--tag", "kubernetes.io/created-for/pvc/name=none");

    assertThat(attach.exit()).isEqualTo(Main.EXIT_FAILED);
    assertThat(attach.err().strip()).isEqualTo("etcd-snapshotter volume-attach: no completed EBS snapshot of"
        + " etcd-snapshotter tagged {kubernetes.io/created-for/pvc/name=none} in this account and region");
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
    String refused = "http://127.0.0.1:" + MotoServer.closedPort();

    CliRun release = CliRun.of("volume-release", "--region", MotoServer.REGION, "--endpoint", refused,
        "--instance-id", instanceId);

    assertThat(release.exit()).isEqualTo(Main.EXIT_FAILED);
    assertThat(release.err().strip()).startsWith("etcd-snapshotter volume-release: EC2 at " + refused
        + ": cannot list the volumes brought back to " + instanceId + ": ").contains("Connection refused")
        .doesNotContain("\n");
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
    if (command.equals("volume-attach")) {
      args.addAll(List.of("--device-timeout", "1s"));
    }
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  /** An EBS snapshot as the snapshot command takes them, of a volume of this test's own PVC. */
  private String snapshot(String description) {
    String volume = moto.client().createVolume(r -> r.availabilityZone(MotoServer.REGION + "a").size(1))
        .volumeId();
    try (Ec2 ec2 = Ec2.connect(MotoServer.REGION, moto.endpoint())) {
      return new EbsSnapshots(ec2).create(volume, Map.of("kubernetes.io/created-for/pvc/name", pvcTag), description);
    }
  }

  private List<Volume> broughtBack() {
    return moto.client().describeVolumes(r -> r.filters(Filter.builder().name("tag:" + BroughtBackVolumes.TO)
        .values(instanceId).build())).volumes();
  }
}
