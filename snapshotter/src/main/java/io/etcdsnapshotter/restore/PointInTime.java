package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.journal.Chain;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Restore to a point after the snapshot: the snapshot, then the revisions after it from the journal in
 * {@code journalDir}, up to {@code toRevision} ({@link BaseSnapshot} finds the snapshot, and the revision of a time).
 *
 * @param keys the data keys of sealed segments
 */
public record PointInTime(Path journalDir, long toRevision, DataKeys keys) {
  /** The journal's chains, oldest base first. */
  List<Chain> chains() throws IOException {
    return Chain.list(journalDir, keys);
  }
}
