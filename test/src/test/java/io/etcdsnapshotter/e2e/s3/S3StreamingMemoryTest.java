package io.etcdsnapshotter.e2e.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.aws.MotoServer;
import io.etcdsnapshotter.e2e.etcd.DataSeeder;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The copy and the restore from it stream: a database several times the heap is copied to S3 by a {@code snapshot}
 * run, and restored from S3, each in a 64 MiB heap. More megabytes (system property {@code e2e.s3.megabytes}, etcd's
 * quota permitting) make it the 1.5 GiB benchmark run.
 */
class S3StreamingMemoryTest {
  private static final int MEGABYTES = Integer.getInteger("e2e.s3.megabytes", 300);
  /** The SDK finds credentials and region in the jar's system properties as it would in the pod's environment. */
  private static final List<String> JVM = List.of("-XX:+UseSerialGC", "-Xmx64m", "-Daws.accessKeyId=testing",
      "-Daws.secretAccessKey=testing", "-Daws.region=" + MotoServer.REGION);

  @TempDir Path tmp;

  @Test
  void aDatabaseSeveralTimesTheHeapIsCopiedToS3AndRestoredFromIt() throws IOException {
    try (EtcdCluster cluster = EtcdCluster.start(EtcdVersion.V3_6, 1, Security.PLAIN);
        MotoServer moto = MotoServer.start()) {
      moto.s3Client().createBucket(r -> r.bucket("backups"));
      DataSeeder.fill(cluster, "big", MEGABYTES);
      String endpoint = moto.endpoint().toString();

      ProcessResult snapshot = Jar.runWithJvmOptions(JVM, "snapshot", "--dir", tmp.resolve("volume").toString(),
          "--cluster", "main=" + cluster.endpoints(), "--cluster-name", "prod", "--s3-bucket", "backups",
          "--s3-endpoint", endpoint);
      assertThat(snapshot.exitCode()).as(snapshot.toString()).isZero();
      long size = Files.size(tmp.resolve("volume/snapshot.db"));
      assertThat(size).isGreaterThan(MEGABYTES * 1024L * 1024);
      assertThat(moto.s3Client().listObjectsV2(r -> r.bucket("backups").prefix("prod/main/")).contents())
          .singleElement().satisfies(o -> assertThat(o.size()).isEqualTo(size));

      List<String> restore = new ArrayList<>(List.of("restore", "s3://backups/prod/main/latest", "--s3-endpoint",
          endpoint, "--data-dir", tmp.resolve("restored").toString()));
      ProcessResult restored = Jar.runWithJvmOptions(JVM, restore.toArray(String[]::new));
      assertThat(restored.exitCode()).as(restored.toString()).isZero();
      assertThat(tmp.resolve("restored/member/snap/db")).isRegularFile();
    }
  }
}
