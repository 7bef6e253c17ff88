package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.Background;
import io.etcdsnapshotter.Sha256;
import io.etcdsnapshotter.config.ScratchDir;
import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.encryption.RememberedKeys;
import io.etcdsnapshotter.inspect.Verification;
import io.etcdsnapshotter.inspect.Verifier;
import io.etcdsnapshotter.restore.EtcdRelease;
import io.etcdsnapshotter.restore.ServerCompatibility;
import io.etcdsnapshotter.restore.TrialRestore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Checks a snapshot file's integrity and structure, stopping at the first problem.",
      "In order: the bbolt meta pages (magic, version, checksum; both must be valid), the file length, the SHA-256"
          + " trailer etcd appends, then every page: reachable exactly once, below the high-water mark, keys"
          + " non-empty and strictly ordered, branch separators consistent, the freelist if one is kept.",
      "A file without a trailer (a db copied from a data dir) is not a failure: verify says so and checks the rest.",
      "With --restore it then restores the file into a scratch dir with etcdutl's default member flags, reads the"
          + " result back and deletes it: proof that the file restores, without touching a real data dir.",
      "A journal (a cluster's journal dir DIR/journal/CLUSTER, or one of its segment files) is checked instead:"
          + " every frame's checksums, then the chain's continuity (it begins with its start record, its segments"
          + " follow each other, each names the chain's base, every revision follows the one before it). Each"
          + " chain's base, revisions, time span, segments and size are printed; a torn last write (what a crash"
          + " leaves, cut off when the journal next starts) is reported, not a failure.",
      "With --etcd-version it also checks that this etcd release would start from a restore of the file.",
      "With --sha256-file it then writes the SHA-256 of the file's bytes, which a plain snapshot's trailer check"
          + " yields at no extra read: the one read of the file before a restore serves both its check and its"
          + " identity (kubernetes.etcd.restored takes the cluster token and the data dir's marker from it).",
      "An encrypted file (config encryption.kmsKeyId) is decrypted in memory with its data key from KMS, every"
          + " chunk authenticated: damage, truncation, reordering or a wrong key is the first problem reported."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:the file is sound (with or without an integrity trailer; the output says which)",
      "1:the file is missing, unreadable, or damaged, or the journal is (one line names the first problem, with the"
          + " file and offset)",
      "2:usage error (bad flags, or a --scratch-dir that is not a directory)"
    })
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = SnapshotFile.WHAT)
  String file;

  @Mixin S3Options s3;

  @Option(names = "--restore", description = "Also do a trial restore into a scratch dir (deleted afterwards).")
  boolean restore;

  @Option(names = "--scratch-dir", paramLabel = "DIR",
      description = "An existing directory in which the trial restore, and the download of an s3:// snapshot, get a"
          + " new private (0700) dir, deleted afterwards; needs about the snapshot's size free for each (default: the"
          + " system temp dir).")
  Path scratchDir;

  @Option(names = "--sha256-file", paramLabel = "OUT",
      description = "Once the file is found sound, write the SHA-256 of its bytes to OUT (hex and a newline, 0600,"
          + " whole or not at all; missing parent dirs are made 0700), the digest sha256sum prints.")
  Path sha256File;

  @Mixin EtcdVersionOption etcdVersion;

  @Mixin KmsOption kms;

  @Override
  public Integer call() throws Exception {
    if (JournalSummaries.isJournal(file)) {
      JournalSummaries.print(Path.of(file), true, kms, spec.commandLine().getOut());
      return 0;
    }
    Path scratchParent = ScratchDir.of(scratchDir, "--scratch-dir");
    try (SnapshotFile snapshot = SnapshotFile.open(file, s3, scratchParent)) {
      return verify(snapshot, scratchParent);
    }
  }

  private int verify(SnapshotFile snapshot, Path scratchParent) throws IOException {
    try (RememberedKeys keys = new RememberedKeys(kms.keys())) {
      return verify(snapshot, scratchParent, keys);
    }
  }

  private int verify(SnapshotFile snapshot, Path scratchParent, DataKeys keys) throws IOException {
    Path file = snapshot.path();
    // Only an encrypted file, or one without a trailer, needs a read of its own for its SHA-256: on the second core.
    Background<String> fileSha256 = sha256File == null || FileSha256.fromTrailer(file) ? null
        : Background.start("file-sha256", () -> Sha256.ofFile(file));
    Verification verification = Verifier.verify(file, keys);
    // Every check runs before anything is printed: a file that fails one never shows as OK.
    String restoreLine = restore
        ? "  restore   " + TrialRestore.run(file, scratchParent, !verification.trailer().present(),
            etcdVersion.release(), keys).describe()
        : serverLine(file, keys);
    if (sha256File != null) {
      FileSha256.write(sha256File, fileSha256 == null ? verification.trailer().content() : fileSha256.await());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (snapshot.origin() != null) {
      out.println(snapshot.origin());
    }
    List<String> summary = new ArrayList<>(verification.summary());
    summary.set(0, snapshot.name() + summary.get(0).substring(file.toString().length()));
    summary.forEach(out::println);
    if (restoreLine != null) {
      out.println(restoreLine);
    }
    out.flush();
    return 0;
  }

  private String serverLine(Path file, DataKeys keys) throws IOException {
    EtcdRelease server = etcdVersion.release();
    if (server == null) {
      return null;
    }
    ServerCompatibility.check(file, server, keys);
    return "  server    etcd " + server + " starts from a restore of it";
  }
}
