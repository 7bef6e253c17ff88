package io.etcdsnapshotter.restore;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A snapshot that is no local file yet (an S3 object): the restore fetches it, under its lock on the target, into a
 * scratch dir on the target's file system, and deletes it again whatever happens. The bolt reader needs the file's
 * pages in any order, so the bytes go to disk rather than memory.
 */
public interface RemoteSnapshot {
  /** Its size in bytes, known before it is fetched: the target needs room for it besides the data dir. */
  long size();

  /** Writes the whole snapshot into {@code file} (which it creates, 0600), checked; throws when it is damaged. */
  void fetch(Path file) throws IOException;
}
