package io.etcdsnapshotter.inspect;

import io.etcdsnapshotter.TextTable;
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

  private StatusTable() {}

  /** Headers centred, cells right-aligned; an empty version is an empty cell as wide as its header. */
  public static String render(SnapshotStatus s) {
    return TextTable.render(s.version() == null ? HEADER_35 : HEADER_36, List.of(cells(s)));
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
        Long.toString(s.totalKey()), TextTable.humanBytes(s.totalSize())));
    if (s.version() != null) {
      cells.add(s.version());
    }
    return cells;
  }
}
