package io.etcdsnapshotter.metrics;

import io.etcdsnapshotter.files.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A file for the node exporter's textfile collector, replaced whole: written to a hidden temp file in the same
 * directory (a name the collector, which reads {@code *.prom}, skips), fsynced and renamed over the old one, so a
 * scrape never reads half a file. Mode 0644: the node exporter runs as another user, and the file holds figures,
 * no secret.
 */
final class Textfile {
  private Textfile() {}

  static void write(Path target, byte[] content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      throw new IOException("directory " + dir + " does not exist: create it, or name the node exporter's"
          + " --collector.textfile.directory");
    }
    Path part = target.resolveSibling("." + target.getFileName() + ".part");
    Files.deleteIfExists(part); // left by a run killed while writing
    try (FileChannel out = FileChannel.open(part, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS))) {
      // Set after creating, as the umask may have narrowed a mode given at creation.
      Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-r--r--"));
      out.write(ByteBuffer.wrap(content));
      out.force(true);
    }
    PrivateFiles.replace(part, target);
  }
}
