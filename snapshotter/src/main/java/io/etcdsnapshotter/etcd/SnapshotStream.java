package io.etcdsnapshotter.etcd;

import io.etcd.jetcd.api.SnapshotRequest;
import io.etcd.jetcd.api.SnapshotResponse;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * Streams a member's snapshot into a channel, byte for byte as {@code etcdctl snapshot save} writes it (database
 * then etcd's 32-byte SHA-256), checking the digest as the bytes pass. Each chunk is written before the next is
 * read, so the network waits for the disk and memory stays flat whatever the database size.
 */
public final class SnapshotStream {
  private SnapshotStream() {}

  /** Returns the byte count and the hex SHA-256 of the database part once etcd's trailer has matched it. */
  public static StreamResult copy(EtcdMember member, WritableByteChannel out, Duration timeout, String label)
      throws IOException {
    TrailerDigest digest = new TrailerDigest();
    StreamProgress progress = new StreamProgress(label);
    try (Context.CancellableContext call = Context.current().withCancellation()) {
      Iterator<SnapshotResponse> responses = call.call(() -> member.channel().maintenance()
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .snapshot(SnapshotRequest.getDefaultInstance()));
      byte[] buffer = new byte[64 * 1024];
      while (responses.hasNext()) {
        SnapshotResponse response = responses.next();
        write(response, out, digest, buffer);
        progress.advanced(digest.total(), response.getRemainingBytes());
      }
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED) {
        throw new IOException("stream did not finish within " + timeout.toSeconds() + "s (raise --command-timeout); "
            + digest.total() + " bytes received", e);
      }
      throw new IOException("stream broke after " + digest.total() + " bytes: " + FailureCause.describe(e), e);
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("stream failed after " + digest.total() + " bytes: " + FailureCause.describe(e), e);
    }
    return new StreamResult(digest.total(), digest.verify());
  }

  /**
   * Copies each chunk once into a reused array: protobuf hands out read-only buffers, which the digest can only
   * read through copies of its own.
   */
  private static void write(SnapshotResponse response, WritableByteChannel out, TrailerDigest digest, byte[] buffer)
      throws IOException {
    com.google.protobuf.ByteString blob = response.getBlob();
    for (int offset = 0; offset < blob.size(); offset += buffer.length) {
      int length = Math.min(buffer.length, blob.size() - offset);
      blob.copyTo(buffer, offset, 0, length);
      ByteBuffer piece = ByteBuffer.wrap(buffer, 0, length);
      digest.update(piece.duplicate());
      while (piece.hasRemaining()) {
        out.write(piece);
      }
    }
  }

  /** How many bytes were written (database plus trailer) and the verified SHA-256 of the database part. */
  public record StreamResult(long bytes, String sha256) {}
}
