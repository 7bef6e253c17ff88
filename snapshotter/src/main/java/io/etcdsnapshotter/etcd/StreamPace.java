package io.etcdsnapshotter.etcd;

import io.etcdsnapshotter.config.RateLimit;
import io.grpc.stub.ClientCallStreamObserver;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * When to ask etcd for the next chunk of a snapshot: at once, or under a rate limit once the bytes received so far
 * are due at that rate. A chunk not asked for stays unread in the transport, whose HTTP/2 window then fills, and etcd
 * stops sending, and reading its database, until the window opens again: the member is slowed down, not just the
 * file. A timer that fires late is made up for; a longer lull (a member slower than the limit) is not, beyond a
 * tenth of a second's worth of bytes sent at once.
 */
final class StreamPace {
  /** Ahead of time by less than this, the next chunk is asked for at once: a timer per 32 KiB chunk costs CPU. */
  private static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  private static final long CATCH_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private final double nanosPerByte;
  private final ScheduledExecutorService timer;
  private long due = System.nanoTime();

  StreamPace(RateLimit limit, ScheduledExecutorService timer) {
    this.nanosPerByte = limit.limited() ? 1e9 / limit.bytesPerSecond() : 0;
    this.timer = timer;
  }

  /** Asks for the next chunk once {@code bytes} more have been received, now or when they are due. */
  void next(ClientCallStreamObserver<?> call, long bytes) {
    if (nanosPerByte == 0) {
      call.request(1);
      return;
    }
    long now = System.nanoTime();
    due = Math.max(due, now - CATCH_UP_NANOS) + (long) (bytes * nanosPerByte);
    long wait = due - now;
    if (wait <= SLACK_NANOS) {
      call.request(1);
    } else {
      timer.schedule(() -> call.request(1), wait, TimeUnit.NANOSECONDS);
    }
  }
}
