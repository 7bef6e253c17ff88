package io.etcdsnapshotter.config;

import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A whole number of bytes with an optional binary unit, in one of the spellings operators use: Kubernetes
 * quantities for sizes (3Gi), and sizes per second for rates (64MiB/s).
 */
final class BinarySize {
  /** As Kubernetes writes an emptyDir's sizeLimit. */
  static final BinarySize QUANTITY = new BinarySize(15, Map.of("Ki", 10, "Mi", 20, "Gi", 30, "Ti", 40), "");
  /** A size per second, with or without the "/s". */
  static final BinarySize PER_SECOND = new BinarySize(9,
      Map.of("B", 0, "KiB", 10, "Ki", 10, "MiB", 20, "Mi", 20, "GiB", 30, "Gi", 30), "(?:/s)?");

  private final Pattern form;
  private final Map<String, Integer> shifts;

  private BinarySize(int digits, Map<String, Integer> shifts, String suffix) {
    this.form = Pattern.compile("([0-9]{1," + digits + "})(" + String.join("|", shifts.keySet()) + ")?" + suffix);
    this.shifts = shifts;
  }

  /** The bytes {@code text} spells; empty when it is not in this spelling or does not fit a long. */
  OptionalLong bytes(String text) {
    Matcher m = form.matcher(text.trim());
    if (!m.matches()) {
      return OptionalLong.empty();
    }
    long number = Long.parseLong(m.group(1));
    int shift = m.group(2) == null ? 0 : shifts.get(m.group(2));
    return number > Long.MAX_VALUE >> shift ? OptionalLong.empty() : OptionalLong.of(number << shift);
  }
}
