package io.etcdsnapshotter.restore;

import java.nio.file.Path;

/** Restore to {@code toRevision}: the snapshot, then the revisions after it from the journal in {@code journalDir}. */
public record PointInTime(Path journalDir, long toRevision) {}
