package io.etcdsnapshotter.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalFileTest {
  @Test
  void oneMemberWalIsEtcdutl35s() {
    assertSameAsGolden(ClusterTest.defaults(), "etcd35-1/wal-head.bin");
  }

  @Test
  void threeMemberWalIsEtcdutl35s() {
    assertSameAsGolden(ClusterTest.three(), "etcd35-3/wal-head.bin");
  }

  /** etcd 3.4 differs only in its final snapshot record, which has no ConfState. */
  @Test
  void everyRecordButTheLastIsEtcdctl34s() {
    for (String golden : new String[] {"etcd34-1/wal-head.bin", "etcd34-3/wal-head.bin"}) {
      Cluster cluster = golden.contains("-1") ? ClusterTest.defaults() : ClusterTest.three();
      byte[] ours = WalFile.bytes(cluster);
      int lastFrame = lastFrameOffset(ours);
      assertThat(Arrays.copyOf(ours, lastFrame)).isEqualTo(Arrays.copyOf(GoldenFiles.read(golden), lastFrame));
    }
  }

  @Test
  void fileIsOneSegmentOfZeroPaddedRecords(@TempDir Path dir) throws IOException {
    WalFile.write(dir, ClusterTest.three());
    byte[] file = Files.readAllBytes(dir.resolve("0000000000000000-0000000000000000.wal"));
    assertThat(file).hasSize(64_000_000);
    assertThat(Arrays.copyOf(file, 1024)).isEqualTo(GoldenFiles.read("etcd35-3/wal-head.bin"));
    byte[] zeros = new byte[file.length - 1024];
    assertThat(Arrays.equals(file, 1024, file.length, zeros, 0, zeros.length)).as("tail is zeros").isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(WalFile.NAME))))
        .isEqualTo("rw-------");
  }

  private static void assertSameAsGolden(Cluster cluster, String golden) {
    byte[] ours = WalFile.bytes(cluster);
    byte[] expected = GoldenFiles.read(golden);
    assertThat(ours).isEqualTo(Arrays.copyOf(expected, ours.length));
    assertThat(Arrays.copyOfRange(expected, ours.length, expected.length)).containsOnly(0);
  }

  private static int lastFrameOffset(byte[] wal) {
    int offset = 0;
    int last = 0;
    while (offset < wal.length) {
      long lenField = ByteBuffer.wrap(wal, offset, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      int length = (int) (lenField & 0x00FFFFFFFFFFFFFFL);
      int pad = lenField < 0 ? (int) ((lenField >>> 56) & 0x7) : 0;
      last = offset;
      offset += 8 + length + pad;
    }
    return last;
  }
}
