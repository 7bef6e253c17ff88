package io.etcdsnapshotter;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * The ASCII box etcdctl's tablewriter 0.0.5 draws ({@code -w table}): headers centred, cells right-aligned; and
 * go-humanize's byte sizes that etcd's tables show.
 */
public final class TextTable {
  private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

  private TextTable() {}

  /** One line per row, every row as long as the header. */
  public static String render(List<String> header, List<List<String>> rows) {
    int[] widths = new int[header.size()];
    StringBuilder rule = new StringBuilder("+");
    for (int i = 0; i < widths.length; i++) {
      widths[i] = header.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
      rule.append("-".repeat(widths[i] + 2)).append('+');
    }
    StringBuilder out = new StringBuilder().append(rule).append('\n').append('|');
    for (int i = 0; i < widths.length; i++) {
      int gap = widths[i] - header.get(i).length();
      out.append(' ').append(" ".repeat(gap / 2)).append(header.get(i)).append(" ".repeat(gap - gap / 2)).append(" |");
    }
    out.append('\n').append(rule).append('\n');
    for (List<String> row : rows) {
      out.append('|');
      for (int i = 0; i < widths.length; i++) {
        out.append(' ').append(" ".repeat(widths[i] - row.get(i).length())).append(row.get(i)).append(" |");
      }
      out.append('\n');
    }
    return out.append(rule).append('\n').toString();
  }

  /** go-humanize's Bytes: powers of 1000, one decimal below 10, none above ("881 kB", "1.2 GB", "7 B"). */
  public static String humanBytes(long bytes) {
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
