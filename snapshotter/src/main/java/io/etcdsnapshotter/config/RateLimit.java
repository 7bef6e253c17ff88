package io.etcdsnapshotter.config;

import java.time.Duration;

/**
 * How fast a snapshot may be read from etcd, in bytes per second; {@link #NONE}: as fast as etcd sends. Operators
 * write it as a binary size per second (64MiB or 64MiB/s); 1 MiB/s is the least, which already needs over two hours
 * for a database at etcd's 8 GiB limit.
 */
public record RateLimit(long bytesPerSecond) {
  public static final RateLimit NONE = new RateLimit(0);
  static final long MIN_BYTES_PER_SECOND = 1L << 20;

  /** {@code text} as the flag or config key {@code what} gave it; null means no limit. */
  public static RateLimit parse(String text, String what) {
    if (text == null) {
      return NONE;
    }
    long bytes = BinarySize.PER_SECOND.bytes(text).orElseThrow(() -> new ConfigException(what + " '" + text
        + "' is not a rate: write a size per second like 64MiB or 64MiB/s (B, KiB, MiB or GiB)"));
    if (bytes < MIN_BYTES_PER_SECOND) {
      throw new ConfigException(what + " '" + text + "' is below the least rate of 1MiB/s: give 1MiB or more,"
          + " or leave the limit out to stream as fast as etcd sends");
    }
    return new RateLimit(bytes);
  }

  public boolean limited() {
    return bytesPerSecond > 0;
  }

  /** The least time {@code bytes} take at this rate (zero without a limit). */
  public Duration timeFor(long bytes) {
    return limited() ? Duration.ofMillis(bytes * 1000 / bytesPerSecond) : Duration.ZERO;
  }

  /** The rate in the largest binary unit that spells it exactly, as an operator would write it. */
  @Override
  public String toString() {
    if (!limited()) {
      return "unlimited";
    }
    String[] units = {"GiB", "MiB", "KiB"};
    for (int i = 0; i < units.length; i++) {
      int shift = 30 - 10 * i;
      if (bytesPerSecond % (1L << shift) == 0) {
        return (bytesPerSecond >> shift) + units[i] + "/s";
      }
    }
    return bytesPerSecond + "B/s";
  }
}
