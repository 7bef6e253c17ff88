package io.etcdsnapshotter.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.inspect.SnapshotStatus;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The db we restore holds exactly what etcdutl of the snapshot's release (3.5.35, 3.6.16, 3.7.3; 3.5.35 for the
 * 3.4 file) holds after its restore of the same snapshot with the same flags: same
 * buckets, keys and values, so the same {@code snapshot status} hash and key count (only the page layout differs,
 * hence totalSize). The expected numbers are {@code etcdutl snapshot status} of the db that
 * {@code etcdutl snapshot restore FIXTURE --data-dir X} (default flags) wrote on this project's test machine.
 */
class EtcdutlParityTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"etcd-3.4.db, 1816221508, 3271", "etcd-3.5.db, 2028951267, 3272", "etcd-3.6.db, 452538077, 3273",
      "etcd-3.7.db, 2427438083, 3273"})
  void restoredDbHoldsWhatEtcdutlsHolds(String fixture, long hash, long totalKey) throws Exception {
    RestoreResult result = DataDirRestore.run(new RestoreRequest(resource(fixture), dir.resolve("data"), null,
        ClusterTest.defaults(), false, 0, false, null));
    SnapshotStatus status = SnapshotStatus.of(dir.resolve("data/member/snap/db"));
    assertThat(status.hash()).isEqualTo(hash);
    assertThat(status.totalKey()).isEqualTo(totalKey);
    assertThat(result.status()).isEqualTo(status);
  }

  private static Path resource(String fixture) throws URISyntaxException {
    return Path.of(EtcdutlParityTest.class.getResource("/snapshots/" + fixture).toURI());
  }
}
