package io.etcdsnapshotter.volume;

import io.etcdsnapshotter.UsageException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The names this tool writes in a snapshot directory. Only a directory holding nothing else is taken as a volume:
 * {@code --dir /etc} once made /etc 0700 and left a lock and an index in it. Entries are judged by name and by
 * what they are, never by what a link points to: a link named {@code .lock} or {@code generations} is not ours.
 */
final class OwnFiles {
  private static final Pattern SNAPSHOT = Pattern.compile("snapshot(-[a-z0-9-]+)?\\.db");
  private static final Pattern PART = Pattern.compile("\\.(snapshot(-[a-z0-9-]+)?\\.db|" + Pattern.quote(SnapshotIndex.FILE)
      + ")\\.part");
  /** What mkfs puts at the root of the file system, as on the PVC the CronJob mounts at {@code --dir}. */
  private static final String LOST_FOUND = "lost+found";

  private OwnFiles() {}

  /** Part files a run writes and abandons on failure; nothing else in the directory matches. */
  static boolean isPart(Path entry) {
    return PART.matcher(entry.getFileName().toString()).matches();
  }

  /** Refuses, naming the first stranger, a directory that holds anything this tool did not put there. */
  static void requireOnlyOurs(Path dir) throws IOException {
    List<String> strangers = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (!isOurs(entry)) {
          strangers.add(entry.getFileName().toString() + (Files.isSymbolicLink(entry) ? " (a symbolic link)" : ""));
        }
      }
    }
    if (!strangers.isEmpty()) {
      throw new UsageException("--dir " + dir + " holds " + strangers.get(0)
          + (strangers.size() > 1 ? " and " + (strangers.size() - 1) + " more" : "")
          + ", which this tool did not write; give a new or empty directory, or one that holds only snapshots"
          + " (snapshot*.db, snapshots.json, generations/, journal/)");
    }
  }

  private static boolean isOurs(Path entry) {
    String name = entry.getFileName().toString();
    if (name.equals(Generations.DIR) || name.equals(SnapshotVolume.JOURNAL) || name.equals(LOST_FOUND)) {
      return Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS);
    }
    boolean ourName = SNAPSHOT.matcher(name).matches() || PART.matcher(name).matches()
        || name.equals(SnapshotIndex.FILE) || name.equals(SnapshotVolume.LOCK);
    return ourName && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS);
  }
}
