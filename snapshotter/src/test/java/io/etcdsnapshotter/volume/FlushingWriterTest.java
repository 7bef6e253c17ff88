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
class FlushingWriterTest {
  private static final long STEP = 1024 * 1024;
  @TempDir Path dir;

  @Test
  void writesEveryByteInOrderWhileFlushingEveryStep() throws IOException {
    byte[] data = new byte[5 * 1024 * 1024 + 12345];
    new Random(7).nextBytes(data);
    Path file = dir.resolve("out");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      FlushingWriter writer = new FlushingWriter(channel, "test", STEP);
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
  void aFailedWriteSaysWhatFailed() throws IOException {
    Path file = dir.resolve("out");
    Files.createFile(file);
    try (FileChannel readOnly = FileChannel.open(file, StandardOpenOption.READ)) {
      FlushingWriter writer = new FlushingWriter(readOnly, "test", STEP);
      assertThatThrownBy(() -> writer.write(ByteBuffer.allocate(1024)))
          .isInstanceOf(IOException.class).hasMessageStartingWith("writing the snapshot failed");
      writer.close();
    }
  }

  @Test
  void finishingStopsTheFlusherThread() throws IOException {
    try (FileChannel channel = FileChannel.open(dir.resolve("out"), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      FlushingWriter writer = new FlushingWriter(channel, "stopped", STEP);
      writer.write(ByteBuffer.allocate(3 * 1024 * 1024));
      writer.finish();
    }
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("flush ") && t.getName().endsWith(" stopped"));
  }
}
