package io.etcdsnapshotter.etcd;

import io.etcdsnapshotter.Bytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs how far a long stream has come, every few seconds, so an operator sees that a big snapshot is alive. */
final class StreamProgress {
  private static final Logger LOG = LoggerFactory.getLogger(StreamProgress.class);
  private static final long INTERVAL_NANOS = 5_000_000_000L;
  private final String label;
  private final long start = System.nanoTime();
  private long lastReport = start;
  private long expected = -1;

  StreamProgress(String label) {
    this.label = label;
  }

  void advanced(long done, long remaining) {
    if (expected < 0) {
      expected = done + remaining;
    }
    long now = System.nanoTime();
    if (now - lastReport >= INTERVAL_NANOS) {
      lastReport = now;
      LOG.atInfo().addKeyValue("bytes", done).addKeyValue("expectedBytes", expected)
          .log("{}: {} of {} ({}%), {}/s", label, Bytes.human(done), Bytes.human(expected),
              expected > 0 ? done * 100 / expected : 100, Bytes.human((long) (done / seconds(now))));
    }
  }

  double seconds(long now) {
    return Math.max(1e-9, (now - start) / 1e9);
  }
}
