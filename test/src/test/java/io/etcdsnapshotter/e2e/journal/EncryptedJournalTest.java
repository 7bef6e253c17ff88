package io.etcdsnapshotter.e2e.journal;

import static io.etcdsnapshotter.e2e.journal.JournalVolume.WAIT;
import static io.etcdsnapshotter.e2e.journal.JournalVolume.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.etcdsnapshotter.aws.MotoServer;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal whose config encrypts the snapshots (KMS: moto's), following real etcd 3.6: no Secret's value reaches
 * the volume in the clear, neither in the snapshots nor in the journal; a restart continues the chain (kms:Decrypt);
 * a new full snapshot starts a sealed chain and the chain of the snapshot it replaced is pruned by the journal,
 * which can read the encrypted snapshots; verify checks the sealed chain; restores to points in both chains equal
 * the source there.
 */
class EncryptedJournalTest {
  private static final EtcdVersion VERSION = EtcdVersion.V3_6;
  private static final String SECRET = "/registry/secrets/kube-system/db-password";

  @TempDir Path dir;

  @Test
  void sealsEverySegmentRestoresThroughKmsAndPrunesTheChainOfAReplacedSnapshot() throws Exception {
    VERSION.assumeInstalled();
    List<String> values = List.of("base-" + UUID.randomUUID(), "journal-" + UUID.randomUUID(),
        "restarted-" + UUID.randomUUID());
    try (MotoServer moto = MotoServer.start(); EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH);
        Client client = cluster.client()) {
      String keyArn = moto.newKmsKey();
      JournalVolume volume = new JournalVolume(VERSION, dir, cluster).encrypted(moto, keyArn);
      long first = put(client, SECRET, values.get(0));
      volume.snapshot();
      long rolled;
      try (RunningProcess journal = volume.follow()) {
        long written = put(client, SECRET, values.get(1));
        volume.awaitDurable(written, journal);
        volume.snapshot();
        Polling.await("the chain of the replaced snapshot deleted", WAIT, () -> journal.stderr().contains(
            "deleting the journal chain from revision " + first), journal::stderr);
        rolled = put(client, "/after-roll", "x");
        JournalVolume.stop(journal, rolled);
      }
      long last;
      try (RunningProcess journal = volume.follow()) {
        last = put(client, SECRET, values.get(2));
        JournalVolume.stop(journal, last);
      }
      assertThat(volume.chainBases()).containsExactly(volume.snapshotRevision());
      assertNoValueInTheClear(volume, values, keyArn);
      ProcessResult verified = volume.read("verify", volume.journalDir().toString());
      assertThat(verified.exitCode()).as(verified.toString()).isZero();
      assertThat(verified.stdout()).contains("OK (journal")
          .contains("chain from revision " + volume.snapshotRevision() + " of cluster").contains("to " + last);
      volume.assertRestoredAsAt(rolled);
      volume.assertRestoredAsAt(last);
    }
  }

  /** Every file on the volume, snapshots and segments alike, is sealed; each segment names the KMS key. */
  private static void assertNoValueInTheClear(JournalVolume volume, List<String> values, String keyArn)
      throws Exception {
    List<Path> files;
    try (Stream<Path> all = Files.walk(volume.volume())) {
      files = all.filter(Files::isRegularFile).toList();
    }
    assertThat(files).anyMatch(f -> f.toString().endsWith(".journal")).anyMatch(f -> f.endsWith("snapshot.db"));
    for (Path file : files) {
      String raw = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      for (String value : values) {
        assertThat(raw).as(file + " holds " + value).doesNotContain(value);
      }
      if (file.toString().endsWith(".journal")) {
        assertThat(raw).as(file + " names its key").contains(keyArn);
      }
    }
  }
}
