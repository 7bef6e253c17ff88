package io.etcdsnapshotter.etcd;

import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.SnapshotRequest;
import io.grpc.Detachable;
import io.grpc.HasByteBuffer;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * One message of etcd's snapshot stream (an {@code etcdserverpb.SnapshotResponse}), left in the buffers gRPC
 * received it in. The generated message class costs two copies of every blob (gRPC's parse buffer, then the
 * ByteString) before the bytes can be hashed and written; here the blob is handed out as views of the transport's
 * own buffers, which the file is written from directly, and released when the chunk is closed.
 */
final class SnapshotChunk implements Closeable {
  private static final MethodDescriptor.Marshaller<SnapshotChunk> MARSHALLER = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(SnapshotChunk value) {
      throw new UnsupportedOperationException("snapshot responses are only received");
    }

    @Override
    public SnapshotChunk parse(InputStream stream) {
      try {
        return new SnapshotChunk(stream instanceof Detachable owned ? owned.detach()
            : new ByteArrayInputStream(stream.readAllBytes()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  /** etcd's Maintenance/Snapshot call, its responses read as chunks; the request keeps jetcd's marshaller. */
  static final MethodDescriptor<SnapshotRequest, SnapshotChunk> METHOD = MaintenanceGrpc.getSnapshotMethod()
      .toBuilder(MaintenanceGrpc.getSnapshotMethod().getRequestMarshaller(), MARSHALLER)
      .build();

  private static final int REMAINING_BYTES = 2;
  private static final int BLOB = 3;
  private static final int VARINT = 0;
  private static final int FIXED64 = 1;
  private static final int LENGTH_DELIMITED = 2;
  private static final int FIXED32 = 5;

  /** Receives the blob in order, as views that stay valid until the chunk is closed. */
  interface BlobSink {
    void accept(ByteBuffer piece) throws IOException;
  }

  private final InputStream in;

  private SnapshotChunk(InputStream in) {
    this.in = in;
  }

  /** Hands the blob to {@code sink} piece by piece and returns etcd's remaining_bytes (0 if absent). */
  long readBlob(BlobSink sink) throws IOException {
    long remaining = 0;
    int tag;
    while ((tag = (int) varint(true)) != -1) {
      int field = tag >>> 3;
      int wireType = tag & 7;
      if (field == REMAINING_BYTES && wireType == VARINT) {
        remaining = varint(false);
      } else if (field == BLOB && wireType == LENGTH_DELIMITED) {
        pieces(length(), sink);
      } else {
        skipField(wireType);
      }
    }
    return remaining;
  }

  private void pieces(int length, BlobSink sink) throws IOException {
    if (in instanceof HasByteBuffer buffers && buffers.byteBufferSupported() && in.markSupported()) {
      // A marked stream keeps the buffers it has read past, instead of releasing them: the pieces stay valid
      // until close.
      in.mark(Integer.MAX_VALUE);
      for (int left = length; left > 0; ) {
        ByteBuffer next = buffers.getByteBuffer();
        if (next == null) {
          throw malformed("the blob runs past the message");
        }
        int n = Math.min(left, next.remaining());
        sink.accept(next.limit(next.position() + n));
        skip(n);
        left -= n;
      }
    } else {
      byte[] blob = in.readNBytes(length);
      if (blob.length < length) {
        throw malformed("the blob runs past the message");
      }
      sink.accept(ByteBuffer.wrap(blob));
    }
  }

  private void skipField(int wireType) throws IOException {
    switch (wireType) {
      case VARINT -> varint(false);
      case FIXED64 -> skip(8);
      case LENGTH_DELIMITED -> skip(length());
      case FIXED32 -> skip(4);
      default -> throw malformed("wire type " + wireType);
    }
  }

  private int length() throws IOException {
    long length = varint(false);
    if (length < 0 || length > Integer.MAX_VALUE) {
      throw malformed("a field of " + Long.toUnsignedString(length) + " bytes");
    }
    return (int) length;
  }

  /** A base-128 varint; -1 at the end of the message where {@code endAllowed}. */
  private long varint(boolean endAllowed) throws IOException {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.read();
      if (b < 0) {
        if (endAllowed && shift == 0) {
          return -1;
        }
        throw malformed("it ends inside a varint");
      }
      value |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        return value;
      }
    }
    throw malformed("a varint longer than 10 bytes");
  }

  private void skip(long n) throws IOException {
    try {
      in.skipNBytes(n);
    } catch (EOFException e) {
      throw malformed("a field runs past the message");
    }
  }

  private static IOException malformed(String problem) {
    return new IOException("etcd sent a malformed snapshot message: " + problem);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
