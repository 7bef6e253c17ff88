package io.etcdsnapshotter.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.inspect.SnapshotStatus;
import io.etcdsnapshotter.inspect.StatusSemantics;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The db we restore holds exactly what etcdutl of the snapshot's release (3.5.35, 3.6.16, 3.7.3; 3.5.35 for the
 * 3.4 file) holds after its restore of the same snapshot with the same flags: same
 * buckets, keys and values, so the same {@code snapshot status} hash and key counts (only the page layout differs,
 * hence totalSize). The expected numbers are {@code etcdutl snapshot status -w json} of the db that
 * {@code etcdutl snapshot restore FIXTURE --data-dir X} (default flags) wrote on this project's test machine:
 * etcdutl 3.5.35's (every pair) and, for 3.6+ storage, that release's own (live keys and version).
 */
class EtcdutlParityTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"etcd-3.4.db, 1816221508, 3271, ,", "etcd-3.5.db, 2028951267, 3272, ,",
      "etcd-3.6.db, 452538077, 3273, 2417, 3.6.0", "etcd-3.7.db, 2427438083, 3273, 2417, 3.7.0"})
  void restoredDbHoldsWhatEtcdutlsHolds(String fixture, long hash, long pairs, Long liveKeys, String version)
      throws Exception {
    RestoreResult result = DataDirRestore.run(new RestoreRequest(resource(fixture), dir.resolve("data"), null,
        ClusterTest.defaults(), false, 0, false, null));
    Path db = dir.resolve("data/member/snap/db");
    SnapshotStatus etcd35 = SnapshotStatus.of(db, StatusSemantics.ETCD_35);
    assertThat(etcd35.hash()).isEqualTo(hash);
    assertThat(etcd35.totalKey()).isEqualTo(pairs);
    SnapshotStatus own = SnapshotStatus.of(db);
    assertThat(own.hash()).isEqualTo(hash);
    assertThat(own.totalKey()).isEqualTo(liveKeys == null ? pairs : liveKeys);
    assertThat(own.version()).isEqualTo(version);
    // the restore reports the numbers its read-back compared with what it wrote: every pair, 3.5 semantics
    assertThat(result.status()).isEqualTo(etcd35);
  }

  private static Path resource(String fixture) throws URISyntaxException {
    return Path.of(EtcdutlParityTest.class.getResource("/snapshots/" + fixture).toURI());
  }
}
