package io.etcdsnapshotter.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class SyncingWriterTest {
  @TempDir Path dir;

  @Test
  void writesEveryByteInOrderAcrossChunksOfAnySize() throws IOException {
    byte[] data = new byte[5 * 1024 * 1024 + 12345];
    new Random(7).nextBytes(data);
    Path file = dir.resolve("out");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      SyncingWriter writer = new SyncingWriter(channel, "test");
      int[] sizes = {1, 32 * 1024, 1024 * 1024, 3 * 1024 * 1024 + 7, 100};
      int offset = 0;
      for (int i = 0; offset < data.length; i++) {
        int length = Math.min(sizes[i % sizes.length], data.length - offset);
        assertThat(writer.write(ByteBuffer.wrap(data, offset, length))).isEqualTo(length);
        offset += length;
      }
      writer.finish();
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(data);
  }

  @Test
  void aFailedWriteReachesTheStreamInsteadOfHangingIt() throws IOException {
    Path file = dir.resolve("out");
    Files.createFile(file);
    FileChannel readOnly = FileChannel.open(file, StandardOpenOption.READ);
    SyncingWriter writer = new SyncingWriter(readOnly, "test");
    assertThatThrownBy(() -> {
      for (int i = 0; i < 64; i++) {
        writer.write(ByteBuffer.allocate(1024 * 1024));
      }
      writer.finish();
    }).isInstanceOf(IOException.class).hasMessageContaining("writing the snapshot failed");
    readOnly.close();
    assertThat(Files.size(file)).isZero();
  }

  @Test
  void closingBeforeTheEndStopsTheWriterThread() throws IOException {
    try (FileChannel channel = FileChannel.open(dir.resolve("out"), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      SyncingWriter writer = new SyncingWriter(channel, "stopped");
      writer.write(ByteBuffer.allocate(3 * 1024 * 1024));
      writer.close();
      assertThat(writer.isOpen()).isFalse();
    }
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("write stopped"));
  }
}
