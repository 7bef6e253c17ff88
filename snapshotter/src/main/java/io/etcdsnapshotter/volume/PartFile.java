package io.etcdsnapshotter.volume;

import io.etcdsnapshotter.files.BackgroundFlush;
import io.etcdsnapshotter.files.PrivateFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A snapshot being written. Its name starts with a dot and ends in {@code .part}, so nothing that looks for
 * {@code *.db} ever mistakes a half-written file for a whole one.
 */
public final class PartFile implements AutoCloseable {
  private final Path path;
  private final FileChannel channel;
  private final FlushingWriter writer;

  PartFile(Path path) throws IOException {
    this.path = path;
    this.channel = PrivateFiles.createNew(path);
    this.writer = new FlushingWriter(channel, path.getFileName().toString(), BackgroundFlush.STEP);
  }

  public Path path() {
    return path;
  }

  /** Where the bytes go: they are flushed to disk while the stream goes on. */
  public GatheringByteChannel channel() {
    return writer;
  }

  /** Flushes what is left to disk and closes; the file is then ready to be checked and committed. */
  public void finish() throws IOException {
    writer.finish();
    channel.force(true);
    channel.close();
  }

  /** Removes the file unless it was committed: a failed run leaves nothing behind. */
  @Override
  public void close() throws IOException {
    writer.close();
    if (channel.isOpen()) {
      channel.close();
    }
    Files.deleteIfExists(path);
  }
}
