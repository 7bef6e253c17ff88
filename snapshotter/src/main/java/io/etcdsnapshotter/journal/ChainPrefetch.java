package io.etcdsnapshotter.journal;

import io.etcd.jetcd.api.Event;
import io.etcdsnapshotter.Background;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * A chain read on a thread of its own, its records checked and decoded there and handed over in order, up to
 * {@link #AHEAD} bytes ahead of the visitor: on two cores, reading, checksumming and decoding the journal overlaps
 * what the visitor does with each record (a restore builds and writes pages), instead of taking turns with it.
 */
final class ChainPrefetch {
  /** Few enough bytes for the smallest heap the jar runs in; a record larger than this waits for an empty queue. */
  private static final int AHEAD = 8 << 20;
  private static final int OTHER_RECORD = 64;

  /** A decoded record and the room it takes; the end of the chain has no record, and a failure its cause. */
  private record Item(Record record, int weight, Throwable failure) {}

  private static final Item END = new Item(null, 0, null);

  private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final Semaphore room = new Semaphore(AHEAD);
  private volatile boolean stopped;

  private ChainPrefetch() {}

  static void read(Chain chain, Chain.RecordVisitor visitor) throws IOException {
    ChainPrefetch prefetch = new ChainPrefetch();
    Background<Void> reader = Background.start("reading journal chain " + chain.baseRevision(), () -> {
      prefetch.fill(chain);
      return null;
    });
    try {
      prefetch.drain(visitor);
    } finally {
      prefetch.stopped = true;
      reader.cancel();
    }
  }

  /** Queues every record, then the end; or, when the reading fails, what it failed with, in its place. */
  private void fill(Chain chain) {
    try {
      chain.read(record -> {
        int weight = Math.min(AHEAD, weight(record));
        try {
          room.acquire(weight);
        } catch (InterruptedException e) {
          throw new InterruptedIOException("stopped reading the journal");
        }
        queue.add(new Item(record, weight, null));
        return !stopped;
      });
      queue.add(END);
    } catch (IOException | RuntimeException | Error e) {
      queue.add(new Item(null, 0, e));
    }
  }

  /** Hands the records to the visitor, in order, until it stops or the chain ends. */
  private void drain(Chain.RecordVisitor visitor) throws IOException {
    while (true) {
      Item item = take();
      if (item.failure() instanceof IOException e) {
        throw e;
      } else if (item.failure() instanceof RuntimeException e) {
        throw e;
      } else if (item.failure() instanceof Error e) {
        throw e;
      }
      if (item.record() == null || !visitor.record(item.record())) {
        return;
      }
      room.release(item.weight());
    }
  }

  private Item take() throws IOException {
    try {
      return queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading the journal");
    }
  }

  private static int weight(Record record) {
    if (record instanceof RevisionRecord revision) {
      int bytes = 16;
      for (Event event : revision.events()) {
        bytes += event.getSerializedSize() + 4;
      }
      return bytes;
    }
    return OTHER_RECORD;
  }
}
