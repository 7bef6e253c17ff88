package io.etcdsnapshotter.etcd;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.maintenance.SnapshotResponse;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Streams a member's snapshot into a channel, byte for byte as {@code etcdctl snapshot save} writes it (database
 * then etcd's 32-byte SHA-256), checking the digest as the bytes pass. Each chunk is written before the next is
 * taken, so the network waits for the disk and memory stays flat whatever the database size.
 */
public final class SnapshotStream {
  private SnapshotStream() {}

  /** Returns the hex SHA-256 of the database part once etcd's trailer has matched it. */
  public static StreamResult copy(EtcdMember member, WritableByteChannel out, Duration timeout, String label)
      throws IOException {
    TrailerDigest digest = new TrailerDigest();
    StreamProgress progress = new StreamProgress(label);
    CompletableFuture<Void> done = new CompletableFuture<>();
    member.client().getMaintenanceClient().snapshot(new StreamObserver<SnapshotResponse>() {
      @Override
      public void onNext(SnapshotResponse response) {
        if (done.isDone()) {
          return;
        }
        try {
          write(response.getBlob(), out, digest);
          progress.advanced(digest.total(), response.getRemainingBytes());
        } catch (IOException | RuntimeException e) {
          done.completeExceptionally(e);
        }
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(null);
      }
    });
    await(done, timeout, digest);
    return new StreamResult(digest.total(), digest.verify());
  }

  private static void write(ByteString blob, WritableByteChannel out, TrailerDigest digest) throws IOException {
    for (ByteBuffer piece : blob.asReadOnlyByteBufferList()) {
      digest.update(piece.duplicate());
      while (piece.hasRemaining()) {
        out.write(piece);
      }
    }
  }

  private static void await(CompletableFuture<Void> done, Duration timeout, TrailerDigest digest)
      throws IOException {
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while streaming");
    } catch (TimeoutException e) {
      throw new IOException("stream did not finish within " + timeout.toSeconds() + "s (--command-timeout), "
          + digest.total() + " bytes received");
    } catch (ExecutionException e) {
      throw new IOException("stream broke after " + digest.total() + " bytes: " + FailureCause.describe(e), e);
    }
  }

  /** How many bytes were written (database plus trailer) and the verified SHA-256 of the database part. */
  public record StreamResult(long bytes, String sha256) {}
}
