package io.etcdsnapshotter.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdsnapshotter.bolt.SnapshotFixtures;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

class SnapshotStatusTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void jsonEqualsWhatEtcdsOwnToolPrinted(String version) throws IOException {
    assertThat(SnapshotStatus.of(SnapshotFixtures.snapshot(version)).toJson())
        .isEqualTo(SnapshotFixtures.statusJson(version));
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void tableEqualsWhatEtcdsOwnToolPrinted(String version) throws IOException {
    assertThat(StatusTable.render(SnapshotStatus.of(SnapshotFixtures.snapshot(version))))
        .isEqualTo(SnapshotFixtures.statusTable(version));
  }

  @ParameterizedTest
  @FieldSource(SnapshotFixtures.ALL)
  void aDbWithoutTrailerHasTheSameStatus(String version) throws IOException {
    Path db = SnapshotFixtures.write(tmp, "db", SnapshotFixtures.db(version));
    assertThat(SnapshotStatus.of(db).toJson()).isEqualTo(SnapshotFixtures.statusJson(version));
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0 B", "9, 9 B", "10, 10 B", "999, 999 B", "1000, 1.0 kB", "1500, 1.5 kB", "880640, 881 kB",
    "995328, 995 kB", "1379618816, 1.4 GB", "8589934592, 8.6 GB", "12345678901234, 12 TB"
  })
  void sizesAreHumanizedLikeEtcdctl(long bytes, String shown) {
    assertThat(StatusTable.humanBytes(bytes)).isEqualTo(shown);
  }

  @Test
  void jacksonWritesTheSameFieldsInTheSameOrder() throws IOException {
    SnapshotStatus status = new SnapshotStatus(4294967295L, 9_000_000_000L, 3, 28672);
    assertThat(new ObjectMapper().writeValueAsString(status)).isEqualTo(status.toJson());
  }

  @Test
  void simpleFormatMatchesEtcdctlsCommaSeparatedLine() {
    assertThat(StatusTable.simple(new SnapshotStatus(3625982087L, 141, 2356, 880640)))
        .isEqualTo("d8201887, 141, 2356, 881 kB");
  }
}
