package io.etcdsnapshotter.volume;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;

/**
 * Keeps two runs from writing one volume (or restoring into one target) at once. The lock is the kernel's, so it
 * dies with its process: a crashed run never leaves a stale lock that blocks the next one.
 */
public final class VolumeLock implements AutoCloseable {
  static final String FILE = ".lock";
  /** "pid N since T" is far shorter; a longer file is not one this tool wrote. */
  private static final int HOLDER_MAX = 256;
  private final FileChannel channel;
  private final FileLock lock;
  /** The lock file to delete on close, or null for one that stays (the volume's). */
  private final Path transientFile;

  private VolumeLock(FileChannel channel, FileLock lock, Path transientFile) {
    this.channel = channel;
    this.lock = lock;
    this.transientFile = transientFile;
  }

  /** Takes the lock; the lock file is opened without following links, so a link there truncates nothing. */
  public static VolumeLock acquire(Path dir) throws IOException {
    return lock(dir.resolve(FILE), "another snapshot run holds the lock on " + dir, false);
  }

  /**
   * Locks {@code file} as long as the lock is held and deletes it on close, so that nothing stays behind; {@code
   * busy} starts the message when another process holds it.
   */
  public static VolumeLock acquireTransient(Path file, String busy) throws IOException {
    return lock(file, busy, true);
  }

  private static VolumeLock lock(Path file, String busy, boolean deleteOnClose) throws IOException {
    while (true) {
      FileChannel channel = open(file, true);
      FileLock lock = tryLock(channel);
      if (lock == null) {
        String holder = holder(channel);
        channel.close();
        throw new VolumeBusyException(busy + (holder.isEmpty() ? "" : " (" + holder + ")")
            + "; wait for it to finish, then run again");
      }
      String holder = "pid " + ProcessHandle.current().pid() + " since " + Instant.now();
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(holder.getBytes(StandardCharsets.UTF_8)), 0);
      if (!deleteOnClose) {
        return new VolumeLock(channel, lock, null);
      }
      if (holder.equals(holderAt(file))) {
        return new VolumeLock(channel, lock, file);
      }
      // The holder before us deleted the file after we had opened it: our lock is on a file no one else will open.
      lock.release();
      channel.close();
    }
  }

  private static FileChannel open(Path file, boolean create) throws IOException {
    Set<OpenOption> options = create
        ? Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)
        : Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    return FileChannel.open(file, options, PrivateFiles.PRIVATE_FILE);
  }

  /** The holder the file now at {@code file} names, or null when there is none (its holder just deleted it). */
  private static String holderAt(Path file) throws IOException {
    try (FileChannel channel = open(file, false)) {
      return holder(channel);
    } catch (NoSuchFileException e) {
      return null;
    }
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
    if (transientFile != null) {
      Files.deleteIfExists(transientFile);
    }
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
