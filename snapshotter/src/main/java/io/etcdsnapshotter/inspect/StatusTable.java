package io.etcdsnapshotter.inspect;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code snapshot status -w table} and {@code -w simple} as etcdctl 3.4 / etcdutl 3.5 print them, and with a
 * VERSION column as etcdutl 3.6 prints them for a 3.6-semantics status: hash in hex, size in SI units like
 * go-humanize, in tablewriter 0.0.5's ASCII box (etcdutl 3.7's tablewriter 1.x draws Unicode boxes; we keep 3.6's).
 */
public final class StatusTable {
  private static final List<String> HEADER_35 = List.of("HASH", "REVISION", "TOTAL KEYS", "TOTAL SIZE");
  private static final List<String> HEADER_36 = List.of("HASH", "REVISION", "TOTAL KEYS", "TOTAL SIZE", "VERSION");
  private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

  private StatusTable() {}

  /** Headers centred, cells right-aligned; an empty version is an empty cell as wide as its header. */
  public static String render(SnapshotStatus s) {
    List<String> header = s.version() == null ? HEADER_35 : HEADER_36;
    List<String> row = cells(s);
    int[] widths = new int[header.size()];
    StringBuilder rule = new StringBuilder("+");
    for (int i = 0; i < widths.length; i++) {
      widths[i] = Math.max(header.get(i).length(), row.get(i).length());
      rule.append("-".repeat(widths[i] + 2)).append('+');
    }
    StringBuilder out = new StringBuilder().append(rule).append('\n').append('|');
    for (int i = 0; i < widths.length; i++) {
      int gap = widths[i] - header.get(i).length();
      out.append(' ').append(" ".repeat(gap / 2)).append(header.get(i)).append(" ".repeat(gap - gap / 2)).append(" |");
    }
    out.append('\n').append(rule).append('\n').append('|');
    for (int i = 0; i < widths.length; i++) {
      out.append(' ').append(" ".repeat(widths[i] - row.get(i).length())).append(row.get(i)).append(" |");
    }
    return out.append('\n').append(rule).append('\n').toString();
  }

  /**
   * {@code -w simple}: the table's cells joined by ", " ("hash, revision, total keys, total size", then ", version"
   * under 3.6 semantics, which leaves a trailing ", " when the file has no storage version, as etcdutl 3.6 prints).
   */
  public static String simple(SnapshotStatus s) {
    return String.join(", ", cells(s));
  }

  private static List<String> cells(SnapshotStatus s) {
    List<String> cells = new ArrayList<>(List.of(Long.toHexString(s.hash()), Long.toString(s.revision()),
        Long.toString(s.totalKey()), humanBytes(s.totalSize())));
    if (s.version() != null) {
      cells.add(s.version());
    }
    return cells;
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
