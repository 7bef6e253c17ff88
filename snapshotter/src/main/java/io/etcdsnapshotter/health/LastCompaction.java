package io.etcdsnapshotter.health;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.etcdsnapshotter.etcd.EtcdChannel;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The revision of a cluster's last compaction, found without reading its history. It matters to {@code check}
 * because etcd (3.5.5 on) keeps the hash it computed while compacting: {@code HashKV} at that revision is answered
 * from memory, where any other revision makes every member read its whole keyspace (seconds per GiB). The API
 * server compacts every five minutes, so a Kubernetes cluster always has a recent one.
 */
final class LastCompaction {
  private static final ByteString FIRST_KEY = ByteString.copyFrom(new byte[] {0});

  private LastCompaction() {}

  /** The revision, or 0 when the cluster was never compacted or the member would not say. */
  static long of(EtcdChannel channel, Duration timeout) {
    try {
      channel.kv().withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .range(RangeRequest.newBuilder().setKey(FIRST_KEY).setRevision(1).setLimit(1).build());
      return 0; // revision 1 is still there: no compaction yet, and a watch from it would replay all history
    } catch (RuntimeException compacted) {
      return fromWatch(channel, timeout);
    }
  }

  /** A watch from a compacted revision is answered at once with the compact revision, and cancelled by etcd. */
  private static long fromWatch(EtcdChannel channel, Duration timeout) {
    CompletableFuture<Long> answer = new CompletableFuture<>();
    StreamObserver<WatchRequest> requests = channel.watch().watch(new StreamObserver<>() {
      @Override
      public void onNext(WatchResponse response) {
        if (response.getCompactRevision() > 0 || response.getCanceled()) {
          answer.complete(response.getCompactRevision());
        }
      }

      @Override
      public void onError(Throwable error) {
        answer.complete(0L);
      }

      @Override
      public void onCompleted() {
        answer.complete(0L);
      }
    });
    try {
      requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
          .setKey(FIRST_KEY).setStartRevision(1)).build());
      return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } finally {
      requests.onCompleted();
    }
  }
}
