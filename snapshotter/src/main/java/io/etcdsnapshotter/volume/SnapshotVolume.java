package io.etcdsnapshotter.volume;

import io.etcdsnapshotter.etcd.Bytes;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The snapshot volume, held under its lock for one run. Snapshots arrive as {@link PartFile}s and replace the
 * previous file only by an atomic rename once they are whole, flushed and checked.
 */
public final class SnapshotVolume implements AutoCloseable {
  private final Path dir;
  private final int keep;
  private final VolumeLock lock;
  private final Generations generations;

  private SnapshotVolume(Path dir, int keep, VolumeLock lock) {
    this.dir = dir;
    this.keep = keep;
    this.lock = lock;
    this.generations = new Generations(dir);
  }

  /** Creates the directory 0700 if needed, takes the lock, and clears part files a crashed run left behind. */
  public static SnapshotVolume open(Path dir, int keep) throws IOException {
    PrivateFiles.ensureDirectory(dir);
    VolumeLock lock = VolumeLock.acquire(dir);
    try (DirectoryStream<Path> parts = Files.newDirectoryStream(dir, ".*.part")) {
      for (Path part : parts) {
        Files.deleteIfExists(part);
      }
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

  public PartFile startPart(String name) throws IOException {
    return new PartFile(dir.resolve("." + name + ".part"));
  }

  /**
   * Makes sure {@code needed} bytes fit beside the current snapshot, giving up older generations (oldest first,
   * never the current file) when that is what it takes.
   */
  public void ensureRoom(String name, long needed) throws IOException {
    Path file = file(name);
    while (Files.getFileStore(dir).getUsableSpace() < needed && generations.dropOldest(file)) {
      // each pass frees one older generation
    }
    long free = Files.getFileStore(dir).getUsableSpace();
    if (free < needed) {
      throw new IOException("needs " + Bytes.human(needed) + " (the member's database size) but " + dir + " has "
          + Bytes.human(free) + " free; grow the volume (pillar etcd_snapshot_disk_size) or free space on it");
    }
  }

  /** Replaces {@code name} with the finished part, keeping the replaced file as a generation when asked to. */
  public void commit(PartFile part, String name) throws IOException {
    Path target = file(name);
    if (keep > 0) {
      generations.keep(target);
    }
    PrivateFiles.replace(part.path(), target);
    generations.prune(target, keep);
  }

  @Override
  public void close() throws IOException {
    lock.close();
  }
}
