package io.etcdsnapshotter.restore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs how much of a big snapshot a pass has handled, every 256 MiB, so a long restore visibly moves. */
final class Progress {
  private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
  private static final long STEP = 256L << 20;

  private final String phase;
  private final long total;
  private long done;
  private long nextLog = STEP;

  Progress(String phase, long total) {
    this.phase = phase;
    this.total = total;
  }

  /** Safe from several threads at once (a pass decrypting on two). */
  synchronized void add(long bytes) {
    done += bytes;
    if (done >= nextLog) {
      LOG.info("{}: {} of {} MiB", phase, done >> 20, total >> 20);
      nextLog += STEP;
    }
  }
}
