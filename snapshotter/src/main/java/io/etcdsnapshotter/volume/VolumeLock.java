package io.etcdsnapshotter.volume;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Set;

/**
 * Keeps two runs from writing one volume at once. The lock is the kernel's, so it dies with its process: a crashed
 * run never leaves a stale lock that blocks the next one.
 */
public final class VolumeLock implements AutoCloseable {
  static final String FILE = ".lock";
  /** "pid N since T" is far shorter; a longer file is not one this tool wrote. */
  private static final int HOLDER_MAX = 256;
  private final FileChannel channel;
  private final FileLock lock;

  private VolumeLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock; the lock file is opened without following links, so a link there truncates nothing. */
  public static VolumeLock acquire(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    FileLock lock = tryLock(channel);
    if (lock == null) {
      String holder = holder(channel);
      channel.close();
      throw new VolumeBusyException("another snapshot run holds the lock on " + dir
          + (holder.isEmpty() ? "" : " (" + holder + ")") + "; wait for it to finish, then run again");
    }
    channel.truncate(0);
    channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " since " + Instant.now())
        .getBytes(StandardCharsets.UTF_8)), 0);
    return new VolumeLock(channel, lock);
  }

  /** What the holder wrote into the lock file: its pid and start time, read through the channel already open. */
  private static String holder(FileChannel channel) throws IOException {
    ByteBuffer text = ByteBuffer.allocate(HOLDER_MAX);
    while (text.hasRemaining() && channel.read(text, text.position()) > 0) {
      // reads on until the buffer is full or the file ends
    }
    return new String(text.array(), 0, text.position(), StandardCharsets.UTF_8).trim();
  }

  /** Within one JVM a held lock throws instead of returning null; both mean "busy". */
  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      return null;
    }
  }

  @Override
  public void close() throws IOException {
    lock.release();
    channel.close();
  }

  /** The volume is in use by another run: a failure of this run, not of the snapshot already there. */
  public static final class VolumeBusyException extends IOException {
    public VolumeBusyException(String message) {
      super(message);
    }
  }
}
