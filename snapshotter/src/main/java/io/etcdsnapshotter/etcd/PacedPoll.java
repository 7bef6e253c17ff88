package io.etcdsnapshotter.etcd;

import io.grpc.netty.shaded.io.netty.channel.SelectStrategy;
import io.grpc.netty.shaded.io.netty.util.IntSupplier;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * How the event loop of a channel carrying a stream of small messages, as a watch does, waits for its socket: at most
 * one poll per pace, so the kernel gathers what arrives meanwhile into one read. Woken per message, the loop spent
 * most of its CPU on epoll, reads and gRPC's work per read, not on the messages (at 1,000 watch responses a second).
 * Only an idle poll waits: a loop with tasks queued runs on at once, among them Netty's next read when more is
 * waiting than one read takes. A reader behind its stream turns the pace off ({@link #paced}): paced, a backlog
 * would come at most a socket buffer per pace, which the kernel does not always grow (2 MB/s was seen).
 */
final class PacedPoll implements SelectStrategy {
  private final long paceNanos;
  private long lastPoll;
  private volatile boolean paced = true;

  PacedPoll(Duration pace) {
    this.paceNanos = pace.toNanos();
    this.lastPoll = System.nanoTime() - paceNanos;
  }

  /** Whether idle polls wait out the pace. */
  void paced(boolean on) {
    paced = on;
  }

  @Override
  public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
    if (hasTasks) {
      return selectNow.get();
    }
    long due = lastPoll + paceNanos;
    for (long wait = due - System.nanoTime(); paced && wait > 0; wait = due - System.nanoTime()) {
      LockSupport.parkNanos(wait); // may return early
    }
    lastPoll = System.nanoTime();
    return SelectStrategy.SELECT;
  }
}
