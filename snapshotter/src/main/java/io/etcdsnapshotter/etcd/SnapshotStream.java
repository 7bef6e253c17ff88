package io.etcdsnapshotter.etcd;

import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.SnapshotRequest;
import io.etcdsnapshotter.config.RateLimit;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Streams a member's snapshot into a channel, byte for byte as {@code etcdctl snapshot save} writes it (database
 * then etcd's 32-byte SHA-256), checking the digest as the bytes pass. Each chunk is handled on the thread that
 * received it, as it arrives, straight from the transport's buffers: hashed, written to the file, released. Handing
 * chunks to another thread cost more CPU than hashing them. The next chunk is asked for only once this one is written
 * (and, under a rate limit, once it is due), so the network waits for the disk, HTTP/2 flow control holds etcd back,
 * and memory stays flat whatever the database size.
 */
public final class SnapshotStream implements ClientResponseObserver<SnapshotRequest, SnapshotChunk> {
  private final GatheringByteChannel out;
  private final TrailerDigest digest = new TrailerDigest();
  private final StreamProgress progress;
  private final StreamPace pace;
  private final CountDownLatch done = new CountDownLatch(1);
  /** The pieces of one chunk, written with one system call. */
  private ByteBuffer[] pieces = new ByteBuffer[8];
  private int pieceCount;
  private ClientCallStreamObserver<SnapshotRequest> call;
  private IOException writeFailure;
  private Throwable streamFailure;

  private SnapshotStream(GatheringByteChannel out, String label, StreamPace pace) {
    this.out = out;
    this.progress = new StreamProgress(label);
    this.pace = pace;
  }

  /**
   * Returns the byte count and the hex SHA-256 of the database part once etcd's trailer has matched it; reads no
   * faster than {@code limit}.
   */
  public static StreamResult copy(EtcdMember member, GatheringByteChannel out, Duration timeout, RateLimit limit,
      String label) throws IOException {
    SnapshotStream stream = new SnapshotStream(out, label, new StreamPace(limit, member.channel().timer()));
    MaintenanceGrpc.MaintenanceStub stub = member.channel().maintenanceAsync()
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    ClientCalls.asyncServerStreamingCall(stub.getChannel().newCall(SnapshotChunk.METHOD, stub.getCallOptions()),
        SnapshotRequest.getDefaultInstance(), stream);
    stream.awaitEnd(timeout);
    return new StreamResult(stream.digest.total(), stream.digest.verify());
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<SnapshotRequest> call) {
    this.call = call;
    call.disableAutoRequestWithInitial(1);
  }

  @Override
  public void onNext(SnapshotChunk chunk) {
    try (chunk) {
      if (writeFailure != null) {
        return; // cancelled; chunks already on their way are dropped
      }
      long before = digest.total();
      long remaining = chunk.readBlob(this::add);
      writePieces();
      progress.advanced(digest.total(), remaining);
      pace.next(call, digest.total() - before);
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

  private void add(ByteBuffer piece) {
    digest.update(piece.duplicate());
    if (pieceCount == pieces.length) {
      pieces = Arrays.copyOf(pieces, pieceCount * 2);
    }
    pieces[pieceCount++] = piece;
  }

  private void writePieces() throws IOException {
    try {
      out.write(pieces, 0, pieceCount);
    } finally {
      Arrays.fill(pieces, 0, pieceCount, null);
      pieceCount = 0;
    }
  }

  /** How many bytes were written (database plus trailer) and the verified SHA-256 of the database part. */
  public record StreamResult(long bytes, String sha256) {}
}
