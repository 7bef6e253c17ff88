package io.etcdsnapshotter.volume;

import io.etcdsnapshotter.Bytes;
import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.files.LockFile;
import io.etcdsnapshotter.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot volume, held under its lock for one run. Snapshots arrive as {@link PartFile}s and replace the
 * previous file only by an atomic rename once they are whole, flushed and checked.
 */
public final class SnapshotVolume implements AutoCloseable {
  /** The journal command's dir, one dir per cluster below it. */
  public static final String JOURNAL = "journal";
  static final String LOCK = ".lock";
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotVolume.class);
  private final Path dir;
  private final int keep;
  private final LockFile lock;
  private final Generations generations;

  private SnapshotVolume(Path dir, int keep, LockFile lock) {
    this.dir = dir;
    this.keep = keep;
    this.lock = lock;
    this.generations = new Generations(dir);
  }

  /**
   * Creates the directory 0700 if needed, takes the lock, and clears part files a crashed run left behind. An
   * existing directory must hold only this tool's files: it is checked before anything in it changes, its mode
   * included.
   */
  public static SnapshotVolume open(Path given, int keep) throws IOException {
    // A link the operator named as --dir is theirs to point; links inside the directory are never followed.
    Path dir = Files.isSymbolicLink(given) && Files.isDirectory(given) ? given.toRealPath() : given;
    if (Files.isDirectory(dir)) {
      OwnFiles.requireOnlyOurs(dir);
    }
    PrivateFiles.ensureDirectory(dir);
    LockFile lock = LockFile.acquire(dir.resolve(LOCK), "another snapshot run holds the lock on " + dir);
    try {
      discardParts(dir);
    } catch (IOException e) {
      lock.close();
      throw e;
    }
    return new SnapshotVolume(dir, keep, lock);
  }

  public Path dir() {
    return dir;
  }

  public Path file(String name) {
    return dir.resolve(name);
  }

  /** The file {@code name}, if there is one, and the generations kept of it, newest first. */
  public List<Path> snapshotsOf(String name) throws IOException {
    List<Path> all = new ArrayList<>();
    Path file = file(name);
    if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      all.add(file);
    }
    List<Path> kept = new ArrayList<>(generations.list(file));
    Collections.reverse(kept);
    all.addAll(kept);
    return all;
  }

  public PartFile startPart(String name) throws IOException {
    return new PartFile(dir.resolve("." + name + ".part"));
  }

  /** Removes every part file, as a run that ends early must: only a whole, checked snapshot stays on the volume. */
  public void discardParts() throws IOException {
    discardParts(dir);
  }

  private static void discardParts(Path dir) throws IOException {
    try (DirectoryStream<Path> parts = Files.newDirectoryStream(dir, OwnFiles::isPart)) {
      for (Path part : parts) {
        Files.deleteIfExists(part);
      }
    }
  }

  /**
   * Makes sure {@code needed} bytes fit beside the current snapshot. Older generations (oldest first, never the
   * current file) are given up only when that makes it fit; when even all of them would not, all are kept.
   */
  public void ensureRoom(String name, long needed) throws IOException {
    long free = Files.getFileStore(dir).getUsableSpace();
    if (free >= needed) {
      return;
    }
    Path file = file(name);
    List<Path> giveUp = generations.freeing(file, needed - free);
    if (giveUp.isEmpty()) {
      throw tooSmall(needed, free, generations.list(file).size());
    }
    for (Path old : giveUp) {
      LOG.info("giving up older generation {} to make room for {}", old, name);
      Generations.delete(old);
    }
    ChainRetention.prune(file, DataKeys.NONE);
    free = Files.getFileStore(dir).getUsableSpace();
    if (free < needed) {
      throw tooSmall(needed, free, 0);
    }
  }

  private IOException tooSmall(long needed, long free, int keptGenerations) {
    return new IOException("needs " + Bytes.human(needed) + " (the member's database size) but " + dir + " has "
        + Bytes.human(free) + " free" + (keptGenerations == 0 ? "" : "; giving up its " + keptGenerations
            + " older generations would not make it fit, so they are kept")
        + "; grow the volume (pillar etcd_snapshot_disk_size) or free space on it");
  }

  /**
   * Replaces {@code name} with the finished part, keeping the replaced file as a generation when asked to, with the
   * etcd cluster ID it was taken of ({@code replacedClusterId}, null if unknown); the journal chains of the
   * snapshots no longer kept go with them.
   */
  public void commit(PartFile part, String name, String replacedClusterId) throws IOException {
    Path target = file(name);
    if (keep > 0) {
      generations.keep(target, replacedClusterId);
    }
    PrivateFiles.replace(part.path(), target);
    generations.prune(target, keep);
    ChainRetention.prune(target, DataKeys.NONE);
  }

  @Override
  public void close() throws IOException {
    lock.close();
  }
}
