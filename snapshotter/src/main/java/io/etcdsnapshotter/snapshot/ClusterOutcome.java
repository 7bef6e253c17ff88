package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.volume.DrillOutcome;
import io.etcdsnapshotter.volume.SnapshotIndex;

/**
 * How one cluster's snapshot went: the new index entry, or the one line that says why not; and how the restore
 * drill of the new file went (null when none ran). A failed drill fails the cluster but keeps its file.
 */
public record ClusterOutcome(String cluster, String endpoint, SnapshotIndex.Entry entry, String failure,
    DrillOutcome drill) {
  ClusterOutcome(String cluster, String endpoint, SnapshotIndex.Entry entry, String failure) {
    this(cluster, endpoint, entry, failure, null);
  }

  /** The new file was committed to the volume. */
  public boolean saved() {
    return failure == null;
  }

  /** Saved, and restored in the drill if one ran. */
  public boolean ok() {
    return saved() && (drill == null || !drill.failed());
  }

  ClusterOutcome withDrill(DrillOutcome outcome) {
    return new ClusterOutcome(cluster, endpoint, entry, failure, outcome);
  }

  /** The operator's line: cluster, endpoint and cause, as the CLI contract asks. */
  public String describe() {
    String where = endpoint == null ? "" : " (" + endpoint + ")";
    if (!saved()) {
      return "cluster " + cluster + where + ": " + failure;
    }
    String saved = "cluster " + cluster + where + ": saved " + entry.file + " at revision " + entry.revision;
    if (drill == null) {
      return saved;
    }
    return drill.failed()
        ? saved + " but its restore drill failed: " + drill.reason() + "; " + entry.file + " is kept: it is still the"
            + " newest data"
        : saved + "; restore drill " + drill.describe();
  }
}
