package io.etcdsnapshotter.config;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How fast a snapshot may be read from etcd, in bytes per second; {@link #NONE}: as fast as etcd sends. Operators
 * write it as a binary size per second (64MiB or 64MiB/s); 1 MiB/s is the least, which already needs over two hours
 * for a database at etcd's 8 GiB limit.
 */
public record RateLimit(long bytesPerSecond) {
  public static final RateLimit NONE = new RateLimit(0);
  static final long MIN_BYTES_PER_SECOND = 1L << 20;
  /** Nine digits of GiB still fit a long, so no value that matches can overflow. */
  private static final Pattern FORM = Pattern.compile("([0-9]{1,9})(B|KiB|MiB|GiB|Ki|Mi|Gi)?(/s)?");
  private static final Map<String, Integer> SHIFT =
      Map.of("B", 0, "KiB", 10, "Ki", 10, "MiB", 20, "Mi", 20, "GiB", 30, "Gi", 30);

  /** {@code text} as the flag or config key {@code what} gave it; null means no limit. */
  public static RateLimit parse(String text, String what) {
    if (text == null) {
      return NONE;
    }
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      throw new ConfigException(what + " '" + text + "' is not a rate: write a size per second like 64MiB or"
          + " 64MiB/s (B, KiB, MiB or GiB)");
    }
    long bytes = Long.parseLong(m.group(1)) << (m.group(2) == null ? 0 : SHIFT.get(m.group(2)));
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
    for (String unit : new String[] {"GiB", "MiB", "KiB"}) {
      int shift = SHIFT.get(unit);
      if (bytesPerSecond % (1L << shift) == 0) {
        return (bytesPerSecond >> shift) + unit + "/s";
      }
    }
    return bytesPerSecond + "B/s";
  }
}
