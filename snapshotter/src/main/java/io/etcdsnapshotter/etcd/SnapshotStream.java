package io.etcdsnapshotter.etcd;

import io.etcd.jetcd.api.SnapshotRequest;
import io.etcd.jetcd.api.SnapshotResponse;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Streams a member's snapshot into a channel, byte for byte as {@code etcdctl snapshot save} writes it (database
 * then etcd's 32-byte SHA-256), checking the digest as the bytes pass. Each chunk is handled on the thread that
 * received it, as it arrives: handing each of a snapshot's tens of thousands of chunks to another thread cost more
 * CPU than hashing them. The next chunk is read only once this one is written, so the network waits for the disk
 * and memory stays flat whatever the database size.
 */
public final class SnapshotStream implements ClientResponseObserver<SnapshotRequest, SnapshotResponse> {
  private final WritableByteChannel out;
  private final TrailerDigest digest = new TrailerDigest();
  private final StreamProgress progress;
  private final byte[] buffer = new byte[64 * 1024];
  private final CountDownLatch done = new CountDownLatch(1);
  private ClientCallStreamObserver<SnapshotRequest> call;
  private IOException writeFailure;
  private Throwable streamFailure;

  private SnapshotStream(WritableByteChannel out, String label) {
    this.out = out;
    this.progress = new StreamProgress(label);
  }

  /** Returns the byte count and the hex SHA-256 of the database part once etcd's trailer has matched it. */
  public static StreamResult copy(EtcdMember member, WritableByteChannel out, Duration timeout, String label)
      throws IOException {
    SnapshotStream stream = new SnapshotStream(out, label);
    member.channel().maintenanceAsync()
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .snapshot(SnapshotRequest.getDefaultInstance(), stream);
    stream.awaitEnd(timeout);
    return new StreamResult(stream.digest.total(), stream.digest.verify());
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<SnapshotRequest> call) {
    this.call = call;
  }

  @Override
  public void onNext(SnapshotResponse response) {
    if (writeFailure != null) {
      return; // cancelled; chunks already on their way are dropped
    }
    try {
      write(response);
      progress.advanced(digest.total(), response.getRemainingBytes());
    } catch (IOException e) {
      writeFailure = e;
      call.cancel("writing the snapshot failed", e);
    }
  }

  @Override
  public void onError(Throwable failure) {
    streamFailure = failure;
    done.countDown();
  }

  @Override
  public void onCompleted() {
    done.countDown();
  }

  private void awaitEnd(Duration timeout) throws IOException {
    try {
      done.await();
    } catch (InterruptedException e) {
      call.cancel("interrupted", e);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted after " + digest.total() + " bytes");
    }
    if (writeFailure != null) {
      throw writeFailure;
    }
    if (streamFailure != null) {
      throw describe(streamFailure, timeout);
    }
  }

  private IOException describe(Throwable failure, Duration timeout) {
    if (Status.fromThrowable(failure).getCode() == Status.Code.DEADLINE_EXCEEDED) {
      return new IOException("stream did not finish within " + timeout.toSeconds() + "s (raise --command-timeout); "
          + digest.total() + " bytes received", failure);
    }
    return new IOException("stream broke after " + digest.total() + " bytes: " + FailureCause.describe(failure),
        failure);
  }

  /**
   * Copies each chunk once into a reused array: protobuf hands out read-only buffers, which the digest can only
   * read through copies of its own.
   */
  private void write(SnapshotResponse response) throws IOException {
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
