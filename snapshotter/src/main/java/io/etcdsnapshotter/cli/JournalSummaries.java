package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.encryption.RememberedKeys;
import io.etcdsnapshotter.journal.Chain;
import io.etcdsnapshotter.journal.ChainSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What verify and status print for a journal: a cluster's journal dir (each chain in it) or one segment file. verify
 * reads every frame; status only the ends of each chain.
 */
final class JournalSummaries {
  private JournalSummaries() {}

  /** Whether {@code argument} names a journal rather than a snapshot: a directory, or a segment file. */
  static boolean isJournal(String argument) {
    if (argument.startsWith("s3://")) {
      return false;
    }
    Path path = Path.of(argument);
    return Files.isDirectory(path) || path.getFileName() != null && path.getFileName().toString().endsWith(".journal");
  }

  /**
   * Prints what the journal at {@code path} holds; damage (verify) or a path that holds no journal is an exception
   * naming it. Sealed segments are read with their chain's data key, asked of KMS once per chain.
   */
  static void print(Path path, boolean verify, KmsOption kms, PrintWriter out) throws IOException {
    try (RememberedKeys keys = new RememberedKeys(kms.keys())) {
      lines(path, verify, keys).forEach(out::println);
    }
    out.flush();
  }

  private static List<String> lines(Path path, boolean verify, DataKeys keys) throws IOException {
    List<Chain> chains = Files.isDirectory(path) ? Chain.list(path, keys) : List.of(Chain.ofSegment(path, keys));
    if (chains.isEmpty()) {
      throw new IOException(path + " holds no journal segment (BASE-SEQUENCE.journal): give a cluster's journal"
          + " dir, DIR/journal/CLUSTER, a segment file, or a snapshot file");
    }
    List<ChainSummary> summaries = new ArrayList<>();
    for (Chain chain : chains) {
      summaries.add(verify ? ChainSummary.verify(chain) : ChainSummary.glance(chain));
    }
    List<String> lines = new ArrayList<>();
    lines.add(path + (verify ? ": OK (journal: every frame and the chain's continuity checked)"
        : ": journal (status reads the ends of each chain; verify checks every frame)"));
    summaries.forEach(summary -> lines.add("  chain     " + summary.describe()));
    return lines;
  }
}
