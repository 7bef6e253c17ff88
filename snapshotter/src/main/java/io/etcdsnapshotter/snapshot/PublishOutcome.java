package io.etcdsnapshotter.snapshot;

import java.util.List;

/** What the run reported beyond the volume (one line per thing done), or the one line that says what failed. */
public record PublishOutcome(List<String> done, String failure) {
  public static final PublishOutcome NONE = new PublishOutcome(List.of(), null);

  public boolean ok() {
    return failure == null;
  }
}
