package io.etcdsnapshotter.snapshot;

import java.util.List;

/** What the run copied off the volume (one line per copy), and one line per copy that failed. */
public record CopyOutcome(List<String> done, List<String> failures) {
  public static final CopyOutcome NONE = new CopyOutcome(List.of(), List.of());
}
