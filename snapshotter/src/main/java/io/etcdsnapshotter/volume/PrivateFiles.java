package io.etcdsnapshotter.volume;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** File operations with the modes and durability a volume full of Secrets needs: 0600 files, 0700 dirs, fsync. */
public final class PrivateFiles {
  private PrivateFiles() {}

  /** Creates {@code dir} (and parents) as 0700, or tightens an existing one to 0700. */
  public static void ensureDirectory(Path dir) throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IOException(dir + " exists but is not a directory");
    }
    try {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException e) {
      // a symlink to a directory: createDirectories refuses it, but it is usable
    }
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
  }

  /** Opens a new file for writing with mode 0600 from its first byte, never briefly readable by others. */
  public static FileChannel createNew(Path file) throws IOException {
    return FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
  }

  /** Renames {@code from} over {@code to} atomically and makes the rename durable. */
  public static void replace(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(to.toAbsolutePath().getParent());
  }

  /** Writes a small file whole or not at all: a reader never sees half of it. */
  public static void writeAtomically(Path target, byte[] content) throws IOException {
    Path part = target.resolveSibling("." + target.getFileName() + ".part");
    Files.deleteIfExists(part);
    try (FileChannel out = createNew(part)) {
      out.write(java.nio.ByteBuffer.wrap(content));
      out.force(true);
    }
    replace(part, target);
  }

  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
