package io.etcdsnapshotter.inspect;

import io.etcdsnapshotter.Background;
import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.bolt.MetaPage;
import io.etcdsnapshotter.bolt.ScanSummary;
import io.etcdsnapshotter.bolt.SnapshotFiles;
import io.etcdsnapshotter.encryption.DataKeys;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Checks a snapshot file and stops at the first problem, which it throws as a one-line {@link IOException}:
 * the meta pages (bbolt can open the file), both meta pages valid (an etcd snapshot always has both), the SHA-256
 * trailer if there is one, then the whole page structure in one pass that also computes the status.
 */
public final class Verifier {
  private Verifier() {}

  public static Verification verify(Path file) throws IOException {
    return verify(file, DataKeys.NONE);
  }

  /**
   * As {@link #verify(Path)}; an encrypted file is read with the data key {@code keys} gives, and authenticated chunk
   * by chunk on the way.
   */
  public static Verification verify(Path file, DataKeys keys) throws IOException {
    try (BoltFile bolt = SnapshotFiles.openBolt(file, keys)) {
      for (MetaPage meta : bolt.metaPages()) {
        if (!meta.valid()) {
          throw new IntegrityException(file + ": meta " + meta.describe() + " (bbolt would fall back to meta page "
              + bolt.meta().number() + ", but a sound snapshot has two valid meta pages)");
        }
      }
      // The trailer's SHA-256 reads the whole file, as the scan does: on a second core it costs no wall time.
      // An encrypted file is decrypted twice, once per core: the page cache holds no plaintext to share.
      Background<IntegrityTrailer> hashing =
          Background.start("verify-sha256", () -> IntegrityTrailer.check(file, keys));
      ScanSummary scan;
      // The summary shows the revision and hash, the same in both semantics: 3.5's need no key set.
      StatusCalculator status = new StatusCalculator(bolt, StatusSemantics.ETCD_35);
      try {
        scan = bolt.scan(status);
      } catch (IOException | RuntimeException e) {
        checkTrailer(file, hashing.await()); // damage the trailer names is the first thing to report
        throw e;
      }
      IntegrityTrailer trailer = hashing.await();
      checkTrailer(file, trailer);
      return new Verification(file, bolt.fileSize(), bolt.pageSize(), bolt.pageCount(), bolt.metaPages(), trailer,
          scan, status.result());
    }
  }

  private static void checkTrailer(Path file, IntegrityTrailer trailer) throws IntegrityException {
    if (trailer.present() && !trailer.matches()) {
      throw new IntegrityException(file + ": SHA-256 mismatch: the trailer says " + trailer.stored()
          + " but the content hashes to " + trailer.computed() + " (the file is damaged or was modified)");
    }
  }
}
