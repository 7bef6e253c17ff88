package io.etcdsnapshotter.restore;

import java.nio.file.Path;
import java.time.Instant;

/**
 * Restore to a point after the snapshot: the snapshot, then the revisions after it from the journal in
 * {@code journalDir}, up to {@code toRevision}; or, with {@code toTime} instead (toRevision 0), up to the newest
 * revision the journal had received by then.
 */
public record PointInTime(Path journalDir, long toRevision, Instant toTime) {
  public static PointInTime revision(Path journalDir, long revision) {
    return new PointInTime(journalDir, revision, null);
  }

  public static PointInTime time(Path journalDir, Instant time) {
    return new PointInTime(journalDir, 0, time);
  }
}
