package io.etcdsnapshotter.files;

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
public final class LockFile implements AutoCloseable {
  /** "pid N since T" is far shorter; a longer file is not one this tool wrote. */
  private static final int HOLDER_MAX = 256;
  private final FileChannel channel;
  private final FileLock lock;
  /** The lock file to delete on close, or null for one that stays (the volume's). */
  private final Path transientFile;

  private LockFile(FileChannel channel, FileLock lock, Path transientFile) {
    this.channel = channel;
    this.lock = lock;
    this.transientFile = transientFile;
  }

  /**
   * Locks {@code file}, which stays when the lock is released; the file is opened without following links, so a link
   * there truncates nothing. {@code busy} starts the message when another process holds it.
   */
  public static LockFile acquire(Path file, String busy) throws IOException {
    return lock(file, busy, false);
  }

  /** Locks {@code file} as {@link #acquire} does, and deletes it on close so that nothing stays behind. */
  public static LockFile acquireTransient(Path file, String busy) throws IOException {
    return lock(file, busy, true);
  }

  private static LockFile lock(Path file, String busy, boolean deleteOnClose) throws IOException {
    while (true) {
      FileChannel channel = open(file, true);
      FileLock lock = tryLock(channel);
      if (lock == null) {
        String holder = holder(channel);
        channel.close();
        throw new BusyException(busy + (holder.isEmpty() ? "" : " (" + holder + ")")
            + "; wait for it to finish, then run again");
      }
      String holder = "pid " + ProcessHandle.current().pid() + " since " + Instant.now();
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(holder.getBytes(StandardCharsets.UTF_8)), 0);
      if (!deleteOnClose) {
        return new LockFile(channel, lock, null);
      }
      if (holder.equals(holderAt(file))) {
        return new LockFile(channel, lock, file);
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

  /** Another run holds the lock: a failure of this run, not of what the other one is working on. */
  public static final class BusyException extends IOException {
    public BusyException(String message) {
      super(message);
    }
  }
}
