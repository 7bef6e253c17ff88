package io.etcdsnapshotter.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations the way etcdctl spells them (500ms, 5s, 10m, 1h) so operators' habits carry over; days (30d) for
 * the retention of EBS snapshots.
 */
public final class DurationParser {
  private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  /** Up to 18 digits always fit a long; more are out of range whatever the unit. */
  private static final int MAX_DIGITS = 18;

  private DurationParser() {}

  /**
   * Parses {@code text}, which must lie between 1ms and {@code max}: each use has a bound its consumer can take (a
   * connect timeout is an int of milliseconds, a deadline a long of nanoseconds), so a value past it is a usage
   * error here rather than an overflow later. {@code what} names the flag or key for the message.
   */
  public static Duration parse(String text, String what, Duration max) {
    Matcher m = FORM.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new ConfigException(what + " '" + text + "' is not a duration: write it like 500ms, 30s, 10m, 1h or 30d");
    }
    Duration d = m.group(1).length() > MAX_DIGITS ? null : of(Long.parseLong(m.group(1)), m.group(2));
    if (d == null || d.isZero() || d.compareTo(max) > 0) {
      throw new ConfigException(what + " '" + text + "' is out of range: give a duration from 1ms to " + show(max));
    }
    return d;
  }

  /** Null when the amount overflows a Duration in that unit. */
  private static Duration of(long n, String unit) {
    try {
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    } catch (ArithmeticException e) {
      return null;
    }
  }

  /** The bound in the largest unit that spells it exactly, as an operator would write it. */
  static String show(Duration d) {
    if (d.toMillis() % Duration.ofDays(1).toMillis() == 0) {
      return d.toDays() + "d";
    }
    if (d.toMillis() % Duration.ofHours(1).toMillis() == 0) {
      return d.toHours() + "h";
    }
    if (d.toMillis() % Duration.ofMinutes(1).toMillis() == 0) {
      return d.toMinutes() + "m";
    }
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
