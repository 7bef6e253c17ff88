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

  private DurationParser() {}

  public static Duration parse(String text, String what) {
    Matcher m = FORM.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new ConfigException(what + " '" + text + "' is not a duration: write it like 500ms, 30s, 10m, 1h or 30d");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
    if (d.isZero()) {
      throw new ConfigException(what + " must be longer than zero");
    }
    return d;
  }
}
