package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.UsageException;
import io.etcdsnapshotter.files.LockFile;
import io.etcdsnapshotter.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One restore's hold on a target dir: the kernel's lock on {@code .NAME.restore.lock} beside it (deleted when the
 * restore ends), so two restores never build the same target at once and a killed one never leaves a stale lock.
 * Under the lock, the scratch dirs a killed restore left behind (a full copy of the data, every Secret included,
 * which would also keep an empty target from counting as empty) are deleted: with the lock held, no live restore
 * owns them.
 */
final class TargetLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TargetLock.class);
  /** The scratch dir's name inside an existing empty target (perhaps a mount point). */
  static final String SCRATCH_INSIDE = ".restore-";

  private final LockFile lock;

  private TargetLock(LockFile lock) {
    this.lock = lock;
  }

  /** The scratch dir's name beside an absent target, which it then becomes by one rename. */
  static String scratchBeside(Path target) {
    return "." + target.getFileName() + ".restore-";
  }

  /** Creates the target's missing parents (as etcdutl does), locks the target and clears what dead restores left. */
  static TargetLock claim(Path target, String flag) throws IOException {
    Path parent = target.getParent();
    if (parent == null) {
      throw new UsageException(flag + " " + target + " is the root directory; restore into a dir below it");
    }
    PrivateFiles.createDirectories(parent);
    LockFile lock = LockFile.acquireTransient(parent.resolve("." + target.getFileName() + ".restore.lock"),
        "another restore into " + target + " is running");
    try {
      deleteLeftovers(parent, scratchBeside(target));
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        deleteLeftovers(target, SCRATCH_INSIDE);
      }
      return new TargetLock(lock);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  private static void deleteLeftovers(Path dir, String prefix) throws IOException {
    List<Path> left;
    try (Stream<Path> entries = Files.list(dir)) {
      left = entries.filter(p -> p.getFileName().toString().startsWith(prefix)
          && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
    }
    for (Path scratch : left) {
      LOG.warn("deleting {}: a restore that did not finish left it", scratch);
      PrivateFiles.deleteTree(scratch);
    }
  }

  @Override
  public void close() throws IOException {
    lock.close();
  }
}
