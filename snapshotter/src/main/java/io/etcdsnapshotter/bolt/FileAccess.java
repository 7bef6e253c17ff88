package io.etcdsnapshotter.bolt;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens snapshot files for reading and turns the usual mistakes (no file, a directory, a device or FIFO, no
 * permission) into one line.
 */
public final class FileAccess {
  private FileAccess() {}

  public static FileChannel openReadOnly(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      throw new IOException(path + " is a directory, not a snapshot file");
    }
    if (Files.exists(path) && !Files.isRegularFile(path)) {
      // A FIFO would block the open until a writer came along; a device is never a snapshot.
      throw new IOException(path + " is not a regular file, so not a snapshot file");
    }
    try {
      return FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new IOException(path + ": no such file");
    } catch (AccessDeniedException e) {
      throw new IOException(path + ": permission denied (cannot read it)");
    } catch (IOException e) {
      throw new IOException(path + ": cannot open: " + e.getMessage(), e);
    }
  }
}
