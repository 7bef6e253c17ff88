package io.etcdsnapshotter.snapshot;

import java.util.List;

/**
 * What the run reported beyond the volume (one line per thing done), or the one line that says what failed;
 * {@code ebsSnapshot} is the id of the EBS snapshot it started, or {@code null}.
 */
public record PublishOutcome(List<String> done, String failure, String ebsSnapshot) {
  public static final PublishOutcome NONE = new PublishOutcome(List.of(), null, null);

  public boolean ok() {
    return failure == null;
  }
}
