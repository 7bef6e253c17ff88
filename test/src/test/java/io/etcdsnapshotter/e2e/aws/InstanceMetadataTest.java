package io.etcdsnapshotter.e2e.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.aws.MotoServer;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.fs.TempDirectory;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CronJob shares the master's network, so the instance metadata service answers it as it answers the master.
 * The jar's {@code snapshot}, as the CronJob runs it, must never ask it unless {@code aws.useInstanceMetadata} says
 * so: each run here has a recording metadata service that would hand out working credentials and the region.
 */
class InstanceMetadataTest {
  private static EtcdCluster etcd;
  private static MotoServer moto;
  private static TempDirectory work;
  private static String volumeId;

  @BeforeAll
  static void start() {
    etcd = EtcdCluster.start(EtcdVersion.V3_5, 1, Security.PLAIN);
    moto = MotoServer.start();
    work = TempDirectory.create("e2e-imds-");
    volumeId = moto.client().createVolume(r -> r.availabilityZone(MotoServer.REGION + "a").size(1).encrypted(true))
        .volumeId();
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable resource : new AutoCloseable[] {etcd, moto, work}) {
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
  void withoutAnIdentityOfItsOwnTheRunFailsInOneLineAndNeverAsksTheInstanceMetadata() {
    try (FakeInstanceMetadata imds = FakeInstanceMetadata.start()) {
      ProcessResult run = snapshot(imds, Map.of(), "no-identity", "  region: " + MotoServer.REGION);

      assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
      assertThat(Jar.hasStackTrace(run)).as(run.toString()).isFalse();
      assertThat(Jar.messages(run)).singleElement().asString()
          .startsWith("etcd-snapshotter snapshot: no AWS credentials: give the pod an IAM role")
          .contains("aws.useInstanceMetadata")
          .endsWith("the snapshot files written are valid: snapshot.db (revision " + revision(run) + ")");
      assertThat(work.resolve("no-identity").resolve("snapshot.db")).exists();
      assertThat(imds.requests()).isEmpty();
    }
  }

  @Test
  void withoutARegionTheRunFailsInOneLineAndNeverAsksTheInstanceMetadata() {
    try (FakeInstanceMetadata imds = FakeInstanceMetadata.start()) {
      ProcessResult run = snapshot(imds, keys(), "no-region");

      assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
      assertThat(Jar.messages(run)).singleElement().asString()
          .startsWith("etcd-snapshotter snapshot: no AWS region: set aws.region in the config (or AWS_REGION)");
      assertThat(imds.requests()).isEmpty();
    }
  }

  @Test
  void withKeysInTheEnvironmentAndTheRegionInTheConfigTheRunPublishesWithoutAskingIt() {
    try (FakeInstanceMetadata imds = FakeInstanceMetadata.start()) {
      ProcessResult run = snapshot(imds, keys(), "keys", "  region: " + MotoServer.REGION);

      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.stdout()).contains("tagged EBS volume " + volumeId);
      assertThat(imds.requests()).isEmpty();
    }
  }

  @Test
  void useInstanceMetadataLetsTheRunUseTheInstanceProfile() {
    try (FakeInstanceMetadata imds = FakeInstanceMetadata.start()) {
      ProcessResult run = snapshot(imds, Map.of(), "instance-profile", "  useInstanceMetadata: true");

      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.stdout()).contains("tagged EBS volume " + volumeId);
      assertThat(imds.requests()).contains("PUT /latest/api/token")
          .anySatisfy(request -> assertThat(request).endsWith("/" + FakeInstanceMetadata.ROLE));
    }
  }

  /** A run as the CronJob makes it, with nothing from this machine's AWS setup and the metadata service moved. */
  private static ProcessResult snapshot(FakeInstanceMetadata imds, Map<String, String> credentials, String volume,
      String... aws) {
    Map<String, String> environment = new HashMap<>(credentials);
    environment.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint());
    environment.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-credentials-file").toString());
    environment.put("AWS_CONFIG_FILE", work.resolve("no-config-file").toString());
    List<String> lines = new ArrayList<>(List.of("dir: " + work.resolve(volume), "clusterName: imds-test",
        "clusters:", "  main:", "    endpoints: [" + etcd.endpoints() + "]",
        "aws:", "  endpoint: " + moto.endpoint(), "  volumeId: " + volumeId));
    lines.addAll(List.of(aws));
    try {
      Path config = Files.writeString(work.resolve(volume + ".yaml"), String.join("\n", lines) + "\n");
      return Jar.run(environment, "snapshot", "--config", config.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** moto's keys, without the region MotoServer.CREDENTIALS also sets. */
  private static Map<String, String> keys() {
    Map<String, String> keys = new HashMap<>(MotoServer.CREDENTIALS);
    keys.remove("AWS_REGION");
    return keys;
  }

  private static String revision(ProcessResult run) {
    return run.stdout().replaceAll("(?s).*saved snapshot.db at revision (\\d+).*", "$1");
  }
}
