package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.Background;
import io.etcdsnapshotter.UsageException;
import io.etcdsnapshotter.bolt.BoltCopy;
import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.bolt.SnapshotFiles;
import io.etcdsnapshotter.encryption.SealedFile;
import io.etcdsnapshotter.files.BackgroundFlush;
import io.etcdsnapshotter.files.PrivateFiles;
import io.etcdsnapshotter.files.ReadOnlyFile;
import io.etcdsnapshotter.inspect.IntegrityTrailer;
import io.etcdsnapshotter.inspect.SnapshotStatus;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a snapshot into one member's data dir. Everything is built in a scratch dir beside the target, fsynced
 * and read back, and only then renamed into place, so a failure leaves nothing at the target.
 */
public final class DataDirRestore {
  private static final Logger LOG = LoggerFactory.getLogger(DataDirRestore.class);
  /**
   * Decryption is an encrypted restore's longest pass and nothing else runs meanwhile: on two cores, two threads
   * decrypted 2 GB in 2.2 s where one took 3.8 s.
   */
  private static final int DECRYPTING_THREADS = 2;

  private final RestoreRequest request;
  private final List<Path> scratch = new ArrayList<>();
  /** Scratch dirs holding a fetched snapshot: deleted after a success too. */
  private final List<Path> fetched = new ArrayList<>();

  private DataDirRestore(RestoreRequest request) {
    this.request = request;
  }

  public static RestoreResult run(RestoreRequest request) throws IOException {
    return new DataDirRestore(request).run();
  }

  private RestoreResult run() throws IOException {
    RemoteSnapshot remote = request.remote();
    Path snapshot = request.snapshot();
    if (remote == null && !Files.isRegularFile(snapshot)) {
      throw new NoSuchFileException(snapshot + " is not a snapshot file");
    }
    Path dataDir = request.dataDir().toAbsolutePath();
    Path walDir = request.walDir() == null ? null : request.walDir().toAbsolutePath();
    long size = remote == null ? Files.size(snapshot) : remote.size();
    if (walDir != null && (walDir.startsWith(dataDir) || dataDir.startsWith(walDir))) {
      throw new UsageException("--wal-dir " + walDir + " and --data-dir " + dataDir + " overlap; leave --wal-dir"
          + " out for the default <data-dir>/member/wal, or put it elsewhere");
    }
    try (TargetLock data = TargetLock.claim(dataDir, "--data-dir");
        TargetLock wal = walDir == null ? null : TargetLock.claim(walDir, "--wal-dir")) {
      checkTargets(dataDir, walDir, size, remote == null ? 0 : size);
      return buildCleaningUp(dataDir, walDir);
    }
  }

  private RestoreResult buildCleaningUp(Path dataDir, Path walDir) throws IOException {
    // Ctrl-C or a SIGTERM skips finally blocks but runs shutdown hooks: the half-built data dir goes either way.
    // A SIGKILL runs neither: the next restore into the target deletes what it left (TargetLock).
    Thread cleanup = new Thread(this::deleteScratch, "restore-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      Path snapshot = request.remote() == null ? request.snapshot() : fetch(dataDir);
      return buildFrom(snapshot, dataDir, walDir);
    } finally {
      deleteScratch();
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
  }

  private RestoreResult buildFrom(Path snapshot, Path dataDir, Path walDir) throws IOException {
    long size = Files.size(snapshot);
    // An encrypted snapshot with a wrong key, or cut off, fails here, before anything is written.
    try (ReadOnlyFile content = SnapshotFiles.open(snapshot, request.keys())) {
      boolean encrypted = content instanceof SealedFile;
      // The SHA-256 pass reads the file sequentially while the copy reads its tree: on two cores they overlap. An
      // encrypted file is hashed as it is decrypted instead, with no second decryption.
      Background<Void> trailer = Background.start("sha256-check", () -> {
        if (!request.skipHashCheck() && !encrypted) {
          checkTrailer(snapshot, IntegrityTrailer.check(snapshot), size);
        }
        return null;
      });
      try {
        return build(snapshot, content, dataDir, walDir, trailer);
      } catch (IOException | RuntimeException e) {
        trailer.await(); // its error explains a damaged file better than a bbolt format error would
        throw e;
      } finally {
        trailer.cancel();
      }
    }
  }

  /** The remote snapshot as a file in a scratch dir of its own on the target's file system, always deleted after. */
  private Path fetch(Path dataDir) throws IOException {
    Path dir = scratchFor(dataDir);
    synchronized (scratch) {
      scratch.remove(dir);
      fetched.add(dir);
    }
    Path file = dir.resolve("snapshot.db");
    request.remote().fetch(file);
    return file;
  }

  /** {@code fetchedSize}: the bytes of a remote snapshot, fetched onto the data dir's file system first. */
  private static void checkTargets(Path dataDir, Path walDir, long snapshotSize, long fetchedSize)
      throws IOException {
    requireEmptyOrAbsent(dataDir, "--data-dir");
    if (walDir != null) {
      requireEmptyOrAbsent(walDir, "--wal-dir");
    }
    requireSpace(dataDir, bytesNeeded(snapshotSize, walDir == null) + fetchedSize);
    if (walDir != null) {
      requireSpace(walDir, WalFile.SEGMENT_SIZE);
    }
  }

  /** Room a data dir of {@code snapshotSize} needs: the db (never larger than the snapshot), and the WAL if in it. */
  static long bytesNeeded(long snapshotSize, boolean withWal) {
    return snapshotSize + (withWal ? WalFile.SEGMENT_SIZE : 0);
  }

  /** Best effort: a scratch dir that cannot be deleted is named in the log; it never replaces anything. */
  private void deleteScratch() {
    synchronized (scratch) {
      scratch.addAll(fetched);
      fetched.clear();
      for (Path dir : scratch) {
        try {
          PrivateFiles.deleteTree(dir);
        } catch (IOException e) {
          LOG.warn("could not delete the scratch dir {}: {}", dir, e.getMessage());
        }
      }
      scratch.clear();
    }
  }

  private RestoreResult build(Path snapshot, ReadOnlyFile content, Path dataDir, Path walDir,
      Background<Void> trailer) throws IOException {
    Path root = scratchFor(dataDir);
    Path member = PrivateFiles.createDirectory(root.resolve("member"));
    Path snapDir = PrivateFiles.createDirectory(member.resolve("snap"));
    Path wal = walDir == null ? PrivateFiles.createDirectory(member.resolve("wal")) : scratchFor(walDir);
    RestoreResult result;
    Path dbFile = snapDir.resolve("db");
    boolean encrypted = content instanceof SealedFile;
    Background<Void> check = encrypted ? decryptInto(snapshot, (SealedFile) content, dbFile) : trailer;
    try (BoltFile source = encrypted ? BoltFile.open(dbFile) : BoltFile.open(content, snapshot);
        BoltCopy db = encrypted ? inPlace(source, content.size(), check)
            : BoltCopy.start(source, dbFile, new Progress("copying", source.dataSize())::add)) {
      ServerCompatibility compatibility = ServerCompatibility.of(source);
      if (request.server() != null) {
        compatibility.check(request.server());
      }
      long start = System.nanoTime();
      ContentHash expected = BackendCopy.copy(source, db, request.cluster(), request.bumpRevision(),
          request.pointInTime(), root);
      if (encrypted) {
        check.await(); // the commit rewrites the meta pages the SHA-256 of a decrypted db reads
      }
      db.commit();
      // The disk writes the last of the db, and the SHA-256 may still run, while the db is read back from the page
      // cache; a failed read-back waits for the SHA-256 (catch below), whose error then explains it.
      Background<Void> durable = Background.start("fsync " + snapDir.resolve("db"), () -> {
        db.force();
        return null;
      });
      WalFile.write(wal, request.cluster());
      SnapFile.write(snapDir, request.cluster());
      SnapshotStatus status = RestoredCheck.verify(snapDir, wal, request.cluster(), expected);
      check.await();
      durable.await();
      for (Path dir : List.of(snapDir, wal, member, root)) {
        PrivateFiles.syncDirectory(dir);
      }
      LOG.info("wrote, read back and synced {} MiB in {} s", source.dataSize() >> 20,
          String.format("%.2f", (System.nanoTime() - start) / 1e9));
      result = new RestoreResult(request.cluster(), status, compatibility.describe());
    } catch (IOException | RuntimeException e) {
      if (encrypted) {
        check.await(); // its error explains a damaged file better than a bbolt format error would
      }
      throw e;
    } finally {
      if (encrypted) {
        check.cancel();
      }
    }
    if (!request.dryRun()) {
      if (walDir != null) {
        moveIntoPlace(wal, walDir);
      }
      moveIntoPlace(root, dataDir);
      synchronized (scratch) {
        scratch.clear();
      }
    }
    return result;
  }

  /**
   * Decrypts the snapshot straight into the db file, which then takes the restore's transaction in place: one pass
   * over the plaintext instead of a decryption and a copy. Returns the SHA-256 trailer check, started on a thread of
   * its own over the decrypted bytes while the caller reads the db's tree; the trailer itself is read first, since
   * the transaction cuts it off and writes its pages where it was. A check that fails, like any failure, ends the
   * restore, whose caller then waits for it, since its error explains a damaged file best.
   */
  private Background<Void> decryptInto(Path snapshot, SealedFile sealed, Path dbFile) throws IOException {
    Progress progress = new Progress("decrypting", sealed.size());
    try (FileChannel out = PrivateFiles.createNew(dbFile);
        BackgroundFlush flush = new BackgroundFlush(out, dbFile.toString(), BackgroundFlush.STEP)) {
      sealed.decryptTo((piece, position) -> {
        int length = piece.remaining();
        for (long at = position; piece.hasRemaining(); ) {
          at += out.write(piece, at);
        }
        flush.written(length);
        progress.add(length);
      }, DECRYPTING_THREADS);
      flush.finish();
    }
    long size = sealed.size();
    if (request.skipHashCheck()) {
      return Background.start("sha256-check", () -> null);
    }
    Background.Task<IntegrityTrailer> later = IntegrityTrailer.checkLater(dbFile, size);
    return Background.start("sha256-check", () -> {
      checkTrailer(snapshot, later.call(), size);
      return null;
    });
  }

  /**
   * The decrypted db takes the transaction in place, which first cuts off whatever follows its pages: where that is
   * more than the trailer, the SHA-256 check must have read it before.
   */
  private static BoltCopy inPlace(BoltFile source, long size, Background<Void> check) throws IOException {
    if (source.dataSize() != size - IntegrityTrailer.SIZE) {
      check.await();
    }
    return BoltCopy.inPlace(source);
  }

  /** etcd's rule: without --skip-hash-check a snapshot must end in a matching SHA-256 of the rest. */
  private static void checkTrailer(Path snapshot, IntegrityTrailer trailer, long size) throws IOException {
    if (!trailer.present()) {
      throw new IOException(snapshot + " has no SHA-256 trailer (" + size + " bytes: a db copied from a data dir,"
          + " or a truncated snapshot?); pass --skip-hash-check to restore it anyway");
    }
    if (!trailer.matches()) {
      throw new IOException(snapshot + " is corrupt: its SHA-256 trailer says " + trailer.stored() + " but the data"
          + " hashes to " + trailer.computed() + "; use another snapshot");
    }
  }

  /**
   * A new 0700 dir on the target's file system: beside an absent target, which it then becomes by one rename; or
   * inside an existing empty one (perhaps a mount point, which cannot be renamed over), whose entries it then
   * hands over one rename each.
   */
  private Path scratchFor(Path target) throws IOException {
    Path dir = Files.isDirectory(target)
        ? PrivateFiles.createTempDirectory(target, TargetLock.SCRATCH_INSIDE)
        : PrivateFiles.createTempDirectory(target.getParent(), TargetLock.scratchBeside(target));
    synchronized (scratch) {
      scratch.add(dir);
    }
    return dir;
  }

  /**
   * Until the restore has succeeded, whatever is moved into place stays listed for deletion; so does the scratch
   * dir until it is gone, or a move that fails (the target filled meanwhile) would leave a copy of the data behind.
   */
  private void moveIntoPlace(Path from, Path to) throws IOException {
    synchronized (scratch) {
      if (from.getParent().equals(to)) {
        List<Path> entries;
        try (Stream<Path> list = Files.list(from)) {
          entries = list.toList();
        }
        for (Path entry : entries) {
          scratch.add(Files.move(entry, to.resolve(entry.getFileName()), StandardCopyOption.ATOMIC_MOVE));
        }
        Files.delete(from);
      } else {
        scratch.add(Files.move(from, to, StandardCopyOption.ATOMIC_MOVE));
      }
      scratch.remove(from);
    }
    PrivateFiles.syncDirectory(to);
    PrivateFiles.syncDirectory(to.getParent());
    LOG.info("restored {}", to);
  }

  private static void requireEmptyOrAbsent(Path dir, String flag) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    boolean empty;
    try (Stream<Path> entries = Files.list(dir)) {
      empty = Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && entries.findAny().isEmpty();
    } catch (NotDirectoryException e) {
      empty = false;
    }
    if (!empty) {
      throw new UsageException(flag + " " + dir + " exists and is not an empty directory; move it aside or choose"
          + " another");
    }
  }

  private static void requireSpace(Path target, long bytes) throws IOException {
    long usable = Files.getFileStore(Files.isDirectory(target) ? target : target.getParent()).getUsableSpace();
    if (usable < bytes) {
      throw new IOException("not enough space for " + target + ": need about " + (bytes >> 20) + " MiB, "
          + (usable >> 20) + " MiB free; free some space or restore elsewhere");
    }
  }
}
