package io.etcdsnapshotter.inspect;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/** {@code snapshot status -w table} as etcdctl prints it: hash in hex, size in SI units like go-humanize. */
public final class StatusTable {
  private static final List<String> HEADER = List.of("HASH", "REVISION", "TOTAL KEYS", "TOTAL SIZE");
  private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

  private StatusTable() {}

  public static String render(SnapshotStatus s) {
    List<String> row = List.of(Long.toHexString(s.hash()), Long.toString(s.revision()),
        Long.toString(s.totalKey()), humanBytes(s.totalSize()));
    int[] widths = new int[HEADER.size()];
    StringBuilder rule = new StringBuilder("+");
    for (int i = 0; i < widths.length; i++) {
      widths[i] = Math.max(HEADER.get(i).length(), row.get(i).length());
      rule.append("-".repeat(widths[i] + 2)).append('+');
    }
    StringBuilder out = new StringBuilder().append(rule).append('\n').append('|');
    for (int i = 0; i < widths.length; i++) {
      int gap = widths[i] - HEADER.get(i).length();
      out.append(' ').append(" ".repeat(gap / 2)).append(HEADER.get(i)).append(" ".repeat(gap - gap / 2)).append(" |");
    }
    out.append('\n').append(rule).append('\n').append('|');
    for (int i = 0; i < widths.length; i++) {
      out.append(' ').append(" ".repeat(widths[i] - row.get(i).length())).append(row.get(i)).append(" |");
    }
    return out.append('\n').append(rule).append('\n').toString();
  }

  /** {@code -w simple}: "hash, revision, total keys, total size". */
  public static String simple(SnapshotStatus s) {
    return Long.toHexString(s.hash()) + ", " + s.revision() + ", " + s.totalKey() + ", " + humanBytes(s.totalSize());
  }

  /** go-humanize's Bytes: powers of 1000, one decimal below 10, none above ("881 kB", "1.2 GB", "7 B"). */
  static String humanBytes(long bytes) {
    if (bytes < 10) {
      return bytes + " B";
    }
    int exp = (int) Math.floor(Math.log(bytes) / Math.log(1000));
    double value = Math.floor(bytes / Math.pow(1000, exp) * 10 + 0.5) / 10;
    // Go's %.0f/%.1f round the exact binary value half-to-even, whatever the locale.
    BigDecimal shown = new BigDecimal(value).setScale(value < 10 ? 1 : 0, RoundingMode.HALF_EVEN);
    return shown.toPlainString() + " " + UNITS[exp];
  }
}
