package io.etcdsnapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.aws.MotoServer;
import io.etcdsnapshotter.s3.ObjectUpload;
import io.etcdsnapshotter.s3.S3;
import io.etcdsnapshotter.s3.SnapshotObjects;
import io.etcdsnapshotter.volume.TestVolume;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore to a point from an S3 copy, on a journal that followed two etcd clusters: cluster a up to revision 30,
 * then, after a restore with a new token, cluster b from 20 to 25. The copy records the cluster it was taken from,
 * and only that cluster's history continues it.
 */
class RestoreFromS3ToPointMotoTest {
  private static final String BUCKET = "backups";
  private static MotoServer moto;

  @TempDir Path dir;

  @BeforeAll
  static void startMoto() {
    moto = MotoServer.start();
    moto.s3Client().createBucket(r -> r.bucket(BUCKET));
  }

  @AfterAll
  static void stopMoto() {
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void aTimeWhenTheJournalFollowedAnotherClusterIsRefusedForACopyOfTheOldOne() throws Exception {
    TestVolume volume = new TestVolume(dir);
    Path old = volume.generation("20261201T000000000Z", 12, 0xaL);
    volume.current(20, 0xbL);
    volume.chain(0xaL, 10, 30);
    Thread.sleep(5);
    Instant beforeTheRestore = Instant.now();
    Thread.sleep(5);
    volume.chain(0xbL, 20, 25);
    try (S3 s3 = S3.connect(MotoServer.REGION, moto.endpoint(), false)) {
      new ObjectUpload(s3, BUCKET, new ObjectUpload.Encryption("AES256", null)).upload(old, "old.db", Map.of(SnapshotObjects.ETCD_CLUSTER_ID, "a"));
    }

    CliRun refused = restore(volume, Instant.now(), dir.resolve("refused"));
    assertThat(refused.exit()).as(refused.err()).isEqualTo(1);
    String[] lines = refused.err().strip().split("\n");
    assertThat(lines[lines.length - 1]).startsWith("etcd-snapshotter restore: ").contains("followed etcd cluster b (revision 25), but"
        + " s3://" + BUCKET + "/old.db is a snapshot of cluster a: name a copy of cluster b taken before then");
    assertThat(dir.resolve("refused")).doesNotExist();

    CliRun before = restore(volume, beforeTheRestore, dir.resolve("before"));
    assertThat(before.exit()).as(before.err()).isZero();
    assertThat(before.err()).contains("is revision 30: the newest the journal had received by then");
    assertThat(before.out()).startsWith("dry run: could restore s3://" + BUCKET + "/old.db");
  }

  private CliRun restore(TestVolume volume, Instant time, Path dataDir) {
    return CliRun.of("restore", "s3://" + BUCKET + "/old.db", "--journal", volume.journal().toString(), "--to-time",
        time.toString(), "--data-dir", dataDir.toString(), "--s3-endpoint", moto.endpoint().toString(),
        "--s3-region", MotoServer.REGION, "--dry-run", "--skip-hash-check");
  }
}
