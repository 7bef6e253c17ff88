package io.etcdsnapshotter.restore;

import java.nio.file.Path;

/**
 * Restore to a point after the snapshot: the snapshot, then the revisions after it from the journal in
 * {@code journalDir}, up to {@code toRevision} ({@link BaseSnapshot} finds the snapshot, and the revision of a time).
 */
public record PointInTime(Path journalDir, long toRevision) {}
