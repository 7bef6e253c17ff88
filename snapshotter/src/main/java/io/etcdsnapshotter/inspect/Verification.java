package io.etcdsnapshotter.inspect;

import io.etcdsnapshotter.bolt.MetaPage;
import io.etcdsnapshotter.bolt.ScanSummary;
import java.nio.file.Path;
import java.util.List;

/** What {@link Verifier} found in a sound file. */
public record Verification(
    Path file,
    long fileSize,
    int pageSize,
    long pageCount,
    List<MetaPage> metaPages,
    IntegrityTrailer trailer,
    ScanSummary scan,
    SnapshotStatus status) {

  /** A few lines for operators: what was checked and what the file holds. */
  public List<String> summary() {
    String sha = trailer.present()
        ? "ok (" + trailer.computed() + ")"
        : "none: no integrity trailer (a db copied from a data dir?); only the structure was checked";
    return List.of(
        file + ": OK (" + fileSize + " bytes)",
        "  sha256    " + sha,
        "  meta      " + metaPages.get(0).describe() + ", " + metaPages.get(1).describe(),
        "  pages     " + pageCount + " of " + pageSize + " bytes: " + scan.reachablePages() + " in use, "
            + scan.freePages() + " free, all reachable once",
        "  content   " + scan.buckets() + " buckets, " + scan.keys() + " keys, revision " + status.revision()
            + ", hash " + status.hash());
  }
}
