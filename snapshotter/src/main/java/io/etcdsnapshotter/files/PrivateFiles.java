package io.etcdsnapshotter.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/** File operations with the modes and durability files full of Secrets need: 0600 files, 0700 dirs, fsync. */
public final class PrivateFiles {
  private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
  /** 0600 from a file's first byte: what every file of ours that may hold a Secret is created with. */
  static final FileAttribute<Set<PosixFilePermission>> PRIVATE_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private PrivateFiles() {}

  /**
   * Creates {@code dir} (and parents) as 0700, or tightens an existing directory to 0700. A link is refused, never
   * followed: the mode and the contents of whatever it points to are not ours to change.
   */
  public static void ensureDirectory(Path dir) throws IOException {
    if (Files.isSymbolicLink(dir)) {
      throw new IOException(dir + " is a symbolic link; this tool writes only into a directory of its own there:"
          + " remove the link and run again");
    }
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
    } else if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(dir + " exists but is not a directory");
    }
    if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(PRIVATE_DIR)) {
      Files.setPosixFilePermissions(dir, PRIVATE_DIR);
    }
  }

  /**
   * Opens a new file for writing with mode 0600 from its first byte, never briefly readable by others; an existing
   * file or link of that name is refused, never followed.
   */
  public static FileChannel createNew(Path file) throws IOException {
    return FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS), PRIVATE_FILE);
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

  /** Creates {@code dir}'s missing parents and itself as 0700; existing ones are left as they are. */
  public static void createDirectories(Path dir) throws IOException {
    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
  }

  /** Creates {@code dir} itself as 0700; its parent must exist. */
  public static Path createDirectory(Path dir) throws IOException {
    return Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
  }

  /** A new 0700 dir with a fresh name in {@code parent}: no one else can have made or opened it first. */
  public static Path createTempDirectory(Path parent, String prefix) throws IOException {
    return Files.createTempDirectory(parent, prefix, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
  }

  /** Deletes {@code dir} and everything below it, links themselves but never what they point to; absent is fine. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
