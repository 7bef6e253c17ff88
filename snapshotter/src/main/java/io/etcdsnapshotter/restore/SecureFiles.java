package io.etcdsnapshotter.restore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Files and dirs with etcd's modes (a data dir holds every Secret of the cluster), and fsync of both. */
final class SecureFiles {
  private SecureFiles() {}

  static Path createDirectory(Path dir) throws IOException {
    return Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }

  /** A new file, mode 0600, open for writing; fails if it exists. */
  static FileChannel createFile(Path file) throws IOException {
    return FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
  }

  /** Makes a directory's entries (new files, renames) durable. */
  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  static void writeFully(FileChannel channel, byte[] bytes) throws IOException {
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }
}
