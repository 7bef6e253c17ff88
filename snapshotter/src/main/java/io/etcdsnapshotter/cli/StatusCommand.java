package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.config.ScratchDir;
import io.etcdsnapshotter.inspect.SnapshotStatus;
import io.etcdsnapshotter.inspect.StatusSemantics;
import io.etcdsnapshotter.inspect.StatusTable;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a snapshot's hash, revision, total keys and total size, read natively without etcd binaries. Like"
          + " etcd's tools it checks the whole bbolt structure on the way; `verify` also checks the SHA-256 trailer"
          + " and both meta pages.",
      "etcd 3.6 changed the numbers: etcdutl 3.6+ counts only the user keys that are not deleted and adds the"
          + " storage version. By default the output is what etcdutl of the snapshot's own storage version prints:"
          + " a file with a meta/storageVersion (written by etcd 3.6+) gets 3.6 semantics, any other 3.5 semantics."
          + " --semantics picks one explicitly.",
      "A journal (DIR/journal/CLUSTER, or one of its segment files) gets each chain's base, revisions, time span,"
          + " segments and size, read from the ends of each chain only (verify reads every frame); -w does not"
          + " apply.",
      "A file the snapshot command encrypted (config encryption.kmsKeyId) is read transparently, decrypted in"
          + " memory with its data key from KMS (kms:Decrypt on the key its header names)."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:the status was printed",
      "1:the file is missing, unreadable, not a snapshot, or damaged, or an s3:// object cannot be read or does not"
          + " match its recorded SHA-256 (one line says which)",
      "2:usage error (bad flags)"
    })
final class StatusCommand implements Callable<Integer> {
  enum Format { table, json, simple }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = SnapshotFile.WHAT)
  String file;

  @Mixin S3Options s3;

  @Option(names = "--scratch-dir", paramLabel = "DIR",
      description = "An existing directory in which an s3:// snapshot is downloaded into a new private (0700) dir,"
          + " deleted afterwards; needs the snapshot's size free (default: the system temp dir).")
  Path scratchDir;

  @Option(
      names = {"-w", "--write-out"},
      defaultValue = "table",
      description = "table (default), json (the same line as etcdctl/etcdutl -w json) or simple")
  Format format;

  @Option(
      names = "--semantics",
      paramLabel = "auto|3.5|3.6",
      defaultValue = "auto",
      converter = SemanticsConverter.class,
      description = {
        "auto (default): those of etcdutl of the file's own storage version: 3.6 if it has one, else 3.5.",
        "3.5: exactly `etcdctl snapshot status` of etcd 3.4 and `etcdutl snapshot status` of etcd 3.5: total keys"
            + " counts the key/value pairs of every bucket; no version.",
        "3.6: exactly `etcdutl snapshot status -w json` of etcd 3.6 and 3.7, and etcdutl 3.6's table and simple"
            + " lines: total keys counts the user keys whose latest revision is not a deletion, and a version"
            + " column shows the storage version (empty if the file has none)."
      })
  StatusSemantics semantics;

  @Mixin KmsOption kms;

  @Override
  public Integer call() throws Exception {
    if (JournalSummaries.isJournal(file)) {
      JournalSummaries.print(Path.of(file), false, kms, spec.commandLine().getOut());
      return 0;
    }
    SnapshotStatus status;
    try (SnapshotFile snapshot = SnapshotFile.open(file, s3, ScratchDir.of(scratchDir, "--scratch-dir"))) {
      status = SnapshotStatus.of(snapshot.path(), semantics, kms.keys());
    }
    spec.commandLine().getOut().print(switch (format) {
      case json -> status.toJson() + "\n";
      case simple -> StatusTable.simple(status) + "\n";
      case table -> StatusTable.render(status);
    });
    spec.commandLine().getOut().flush();
    return 0;
  }

  static final class SemanticsConverter implements ITypeConverter<StatusSemantics> {
    @Override
    public StatusSemantics convert(String text) {
      return StatusSemantics.ofFlag(text).orElseThrow(() -> new TypeConversionException(
          "'" + text + "' is not one of auto, 3.5, 3.6"));
    }
  }
}
