package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcdsnapshotter.aws.MotoServer;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * kubernetes.etcd.snapshot-volume against moto, with an instance made through the API. moto attaches nothing real,
 * so the device the state mounts is a loop device over an ext4 image holding a snapshot file: the state really
 * attaches (in moto), really mounts, and releases both.
 */
class SnapshotVolumeTest {
  private static final String SLS = "kubernetes.etcd.snapshot-volume";
  private static final String ZONE = MotoServer.REGION + "b";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path root;
  private SaltCall salt;
  private MotoServer moto;
  private String loopDevice;
  private String instanceId;
  private String snapshotId;

  @BeforeEach
  void attachableWorld() throws Exception {
    SaltCall.saltCallPath();
    assumeTrue(run("id", "-u").stdout().strip().equals("0"), "mounting needs root");
    Path image = root.resolve("ebs.img");
    assertThat(run("truncate", "-s", "8M", image.toString()).exitCode()).isZero();
    Path content = Files.createDirectories(root.resolve("content"));
    Files.writeString(content.resolve("snapshot.db"), "not really a snapshot");
    assertThat(run("mkfs.ext4", "-q", "-F", "-d", content.toString(), image.toString()).exitCode()).isZero();
    ProcessResult loop = run("losetup", "-f", "--show", image.toString());
    assumeTrue(loop.exitCode() == 0, "no loop device: " + loop.stderr());
    loopDevice = loop.stdout().strip();
    moto = MotoServer.start();
    String imageId = moto.client().describeImages().images().get(0).imageId();
    instanceId = moto.client().runInstances(r -> r.imageId(imageId).minCount(1).maxCount(1)
        .placement(p -> p.availabilityZone(ZONE))).instances().get(0).instanceId();
    snapshotId = ebsSnapshot("prod");
    Thread.sleep(1_100); // start times have whole seconds: another cluster's is the newest of the account
    ebsSnapshot("staging");
    salt = new SaltCall(root, "master-1");
  }

  /** An EBS snapshot as the snapshot command of cluster {@code cluster} takes them; returns its id. */
  private String ebsSnapshot(String cluster) {
    String volume = moto.client().createVolume(r -> r.availabilityZone(MotoServer.REGION + "a").size(1)).volumeId();
    return moto.client().createSnapshot(r -> r.volumeId(volume).tagSpecifications(t -> t.resourceType("snapshot")
        .tags(tag("etcd-snapshotter/created-by", "etcd-snapshotter"), tag("etcd-snapshotter/cluster", cluster),
            tag("kubernetes.io/created-for/pvc/name", "kube-etcd-snapshot-pvc")))).snapshotId();
  }

  @AfterEach
  void cleanUp() {
    if (loopDevice != null) {
      run("umount", root.resolve("mnt/etcd").toString());
      run("losetup", "-d", loopDevice);
    }
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void bringsTheNewestSnapshotOfThisClusterBackMountedAndReleasesIt() throws Exception {
    Path dir = root.resolve("mnt/etcd");

    StateRun attached = salt.apply(SLS, pillar("latest"), MotoServer.CREDENTIALS);

    assertThat(attached.succeeded()).as(attached.toString()).isTrue();
    assertThat(run("mountpoint", "-q", dir.toString()).exitCode()).isZero();
    assertThat(dir.resolve("snapshot.db")).hasContent("not really a snapshot");
    assertThat(broughtBack()).singleElement().satisfies(v -> {
      assertThat(v.snapshotId()).isEqualTo(snapshotId);
      assertThat(v.availabilityZone()).isEqualTo(ZONE);
      assertThat(v.attachments()).singleElement().satisfies(a -> assertThat(a.instanceId()).isEqualTo(instanceId));
    });

    StateRun again = salt.apply(SLS, pillar("latest"), MotoServer.CREDENTIALS);
    assertThat(again.succeeded()).as(again.toString()).isTrue();
    assertThat(again.changed()).as(again.toString()).isEmpty();
    assertThat(broughtBack()).hasSize(1);

    StateRun released = salt.apply(SLS, pillar("release"), MotoServer.CREDENTIALS);
    assertThat(released.succeeded()).as(released.toString()).isTrue();
    assertThat(run("mountpoint", "-q", dir.toString()).exitCode()).isNotZero();
    assertThat(broughtBack()).isEmpty();
  }

  @Test
  void anUnknownSnapshotFailsTheStateAndMountsNothing() throws Exception {
    StateRun run = salt.apply(SLS, pillar("snap-0123456789abcdef0"), MotoServer.CREDENTIALS);

    assertThat(run.succeeded()).isFalse();
    assertThat(run.toString()).contains("InvalidSnapshot.NotFound");
    assertThat(run("mountpoint", "-q", root.resolve("mnt/etcd").toString()).exitCode()).isNotZero();
    assertThat(broughtBack()).isEmpty();
  }

  @Test
  void withoutAClusterNameNothingIsBroughtBack() throws Exception {
    StateRun run = salt.apply(SLS, pillar("latest").replace("cluster_name: prod\n", ""), MotoServer.CREDENTIALS);

    assertThat(run.succeeded()).isFalse();
    assertThat(run.toString()).contains("etcd_restore:ebs_snapshot needs the cluster name its EBS snapshots are"
        + " tagged with: set pillar cluster_name");
    assertThat(broughtBack()).isEmpty();
  }

  private String pillar(String ebsSnapshot) {
    return """
        cluster_name: prod
        etcd_restore:
          ebs_snapshot: %s
          ebs_device: %s
          aws_region: %s
          aws_endpoint: %s
          instance_id: %s
          availability_zone: %s
        """.formatted(ebsSnapshot, loopDevice, MotoServer.REGION, moto.endpoint(), instanceId, ZONE);
  }

  private List<Volume> broughtBack() {
    return moto.client().describeVolumes(r -> r.filters(Filter.builder()
        .name("tag:etcd-snapshotter/brought-back-to").values(instanceId).build())).volumes();
  }

  private static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }

  private static ProcessResult run(String... command) {
    return Processes.run(List.of(command), TIMEOUT);
  }
}
