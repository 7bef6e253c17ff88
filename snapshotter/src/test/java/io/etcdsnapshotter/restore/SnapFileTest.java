package io.etcdsnapshotter.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapFileTest {
  @Test
  void oneMemberSnapIsEtcds() {
    assertThat(SnapFile.name(ClusterTest.defaults())).isEqualTo("0000000000000001-0000000000000001.snap");
    assertThat(SnapFile.bytes(ClusterTest.defaults()))
        .isEqualTo(GoldenFiles.read("etcd35-1/0000000000000001-0000000000000001.snap"));
  }

  @Test
  void threeMemberSnapIsEtcds(@TempDir Path dir) throws IOException {
    SnapFile.write(dir, ClusterTest.three());
    Path snap = dir.resolve("0000000000000001-0000000000000003.snap");
    assertThat(Files.readAllBytes(snap)).isEqualTo(GoldenFiles.read("etcd35-3/0000000000000001-0000000000000003.snap"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(snap))).isEqualTo("rw-------");
  }
}
