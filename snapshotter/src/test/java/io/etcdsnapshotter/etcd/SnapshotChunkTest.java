package io.etcdsnapshotter.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.SnapshotResponse;
import io.grpc.internal.CompositeReadableBuffer;
import io.grpc.internal.ReadableBuffers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The snapshot messages etcd sends, encoded by protobuf itself, read back as chunks however the transport splits them. */
class SnapshotChunkTest {
  private final byte[] blob = new byte[32 * 1024];
  private final byte[] message;

  SnapshotChunkTest() {
    new Random(3).nextBytes(blob);
    byte[] fields = SnapshotResponse.newBuilder()
        .setHeader(ResponseHeader.newBuilder().setClusterId(0xabcdef).setMemberId(7).setRevision(4097).setRaftTerm(2))
        .setRemainingBytes(1_615_544_320L)
        .setBlob(ByteString.copyFrom(blob))
        .build().toByteArray();
    // etcd 3.6 adds field 4, the storage version, which jetcd's copy of the proto does not know yet.
    byte[] version = {0x22, 5, '3', '.', '6', '.', '0'};
    message = Arrays.copyOf(fields, fields.length + version.length);
    System.arraycopy(version, 0, message, fields.length, version.length);
  }

  @Test
  void theBlobAndRemainingBytesComeOutWhateverTheTransportsBufferSizes() throws IOException {
    for (int size : new int[] {1, 7, 16 * 1024, 16 * 1024 + 9, message.length}) {
      Read read = read(transportStream(size));
      assertThat(read.blob).as("buffers of %d bytes", size).isEqualTo(blob);
      assertThat(read.remaining).isEqualTo(1_615_544_320L);
    }
  }

  @Test
  void aStreamWithoutBuffersOfItsOwnIsReadToo() throws IOException {
    Read read = read(new ByteArrayInputStream(message));
    assertThat(read.blob).isEqualTo(blob);
    assertThat(read.remaining).isEqualTo(1_615_544_320L);
  }

  @Test
  void theTrailerMessageHasNoRemainingBytes() throws IOException {
    byte[] trailer = SnapshotResponse.newBuilder().setBlob(ByteString.copyFrom(blob, 0, 32)).build().toByteArray();
    Read read = read(new ByteArrayInputStream(trailer));
    assertThat(read.blob).isEqualTo(Arrays.copyOf(blob, 32));
    assertThat(read.remaining).isZero();
  }

  @Test
  void aMessageCutShortIsRefused() {
    byte[] cut = Arrays.copyOf(message, message.length - 100);
    for (InputStream stream : new InputStream[] {new ByteArrayInputStream(cut), transportStream(cut, 4096)}) {
      assertThatThrownBy(() -> read(stream)).isInstanceOf(IOException.class)
          .hasMessageStartingWith("etcd sent a malformed snapshot message");
    }
  }

  /** The message as gRPC's deframer hands it over: one stream over the buffers it arrived in. */
  private InputStream transportStream(int size) {
    return transportStream(message, size);
  }

  private static InputStream transportStream(byte[] bytes, int size) {
    CompositeReadableBuffer buffers = new CompositeReadableBuffer();
    for (int at = 0; at < bytes.length; at += size) {
      ByteBuffer piece = ByteBuffer.allocateDirect(Math.min(size, bytes.length - at));
      piece.put(bytes, at, piece.capacity()).flip();
      buffers.addBuffer(ReadableBuffers.wrap(piece));
    }
    return ReadableBuffers.openStream(buffers, true);
  }

  private record Read(byte[] blob, long remaining) {}

  private static Read read(InputStream stream) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SnapshotChunk chunk = SnapshotChunk.METHOD.parseResponse(stream)) {
      long remaining = chunk.readBlob(piece -> {
        byte[] bytes = new byte[piece.remaining()];
        piece.get(bytes);
        out.write(bytes);
      });
      return new Read(out.toByteArray(), remaining);
    }
  }
}
