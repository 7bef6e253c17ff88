package io.etcdsnapshotter.inspect;

import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.bolt.MetaPage;
import io.etcdsnapshotter.bolt.ScanSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Checks a snapshot file and stops at the first problem, which it throws as a one-line {@link IOException}:
 * the meta pages (bbolt can open the file), both meta pages valid (an etcd snapshot always has both), the SHA-256
 * trailer if there is one, then the whole page structure in one pass that also computes the status.
 */
public final class Verifier {
  private static final Executor HASHING = runnable -> {
    Thread thread = new Thread(runnable, "verify-sha256");
    thread.setDaemon(true);
    thread.start();
  };

  private Verifier() {}

  public static Verification verify(Path file) throws IOException {
    try (BoltFile bolt = BoltFile.open(file)) {
      for (MetaPage meta : bolt.metaPages()) {
        if (!meta.valid()) {
          throw new IntegrityException(file + ": meta " + meta.describe() + " (bbolt would fall back to meta page "
              + bolt.meta().number() + ", but a sound snapshot has two valid meta pages)");
        }
      }
      // The trailer's SHA-256 reads the whole file, as the scan does: on a second core it costs no wall time.
      CompletableFuture<IntegrityTrailer> hashing = CompletableFuture.supplyAsync(() -> trailer(file), HASHING);
      ScanSummary scan;
      // The summary shows the revision and hash, the same in both semantics: 3.5's need no key set.
      StatusCalculator status = new StatusCalculator(bolt, StatusSemantics.ETCD_35);
      try {
        scan = bolt.scan(status);
      } catch (IOException | RuntimeException e) {
        checkTrailer(file, joined(hashing)); // damage the trailer names is the first thing to report
        throw e;
      }
      IntegrityTrailer trailer = joined(hashing);
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

  private static IntegrityTrailer trailer(Path file) {
    try {
      return IntegrityTrailer.check(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static IntegrityTrailer joined(CompletableFuture<IntegrityTrailer> hashing) throws IOException {
    try {
      return hashing.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      throw e;
    }
  }
}
