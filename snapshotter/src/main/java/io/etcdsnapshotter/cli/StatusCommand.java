package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.inspect.SnapshotStatus;
import io.etcdsnapshotter.inspect.StatusTable;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a snapshot's hash, revision, total keys and total size.",
      "Read natively, without etcd binaries: the numbers are those of `etcdctl snapshot status` (etcd 3.4) and"
          + " `etcdutl snapshot status` (etcd 3.5). Like them, it checks the whole bbolt structure on the way;"
          + " `verify` also checks the SHA-256 trailer and both meta pages."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:the status was printed",
      "1:the file is missing, unreadable, not a snapshot, or damaged (one line says which)",
      "2:usage error (bad flags)"
    })
final class StatusCommand implements Callable<Integer> {
  enum Format { table, json, simple }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "a snapshot (`etcdctl snapshot save` output) or a bbolt db")
  Path file;

  @Option(
      names = {"-w", "--write-out"},
      defaultValue = "table",
      description = "table (default), json (the same line as etcdctl/etcdutl -w json) or simple")
  Format format;

  @Override
  public Integer call() throws Exception {
    SnapshotStatus status = SnapshotStatus.of(file);
    spec.commandLine().getOut().print(switch (format) {
      case json -> status.toJson() + "\n";
      case simple -> StatusTable.simple(status) + "\n";
      case table -> StatusTable.render(status);
    });
    spec.commandLine().getOut().flush();
    return 0;
  }
}
