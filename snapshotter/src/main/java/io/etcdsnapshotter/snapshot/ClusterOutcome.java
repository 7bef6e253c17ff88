package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.volume.SnapshotIndex;

/** How one cluster's snapshot went: the new index entry, or the one line that says why not. */
public record ClusterOutcome(String cluster, String endpoint, SnapshotIndex.Entry entry, String failure) {
  public boolean ok() {
    return failure == null;
  }

  /** The operator's line: cluster, endpoint and cause, as the CLI contract asks. */
  public String describe() {
    String where = endpoint == null ? "" : " (" + endpoint + ")";
    return ok()
        ? "cluster " + cluster + where + ": saved " + entry.file + " at revision " + entry.revision
        : "cluster " + cluster + where + ": " + failure;
  }
}
