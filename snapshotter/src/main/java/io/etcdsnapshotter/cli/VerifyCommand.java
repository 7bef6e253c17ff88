package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.inspect.Verification;
import io.etcdsnapshotter.inspect.Verifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
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
      "A file without a trailer (a db copied from a data dir) is not a failure: verify says so and checks the rest."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:the file is sound (with or without an integrity trailer; the output says which)",
      "1:the file is missing, unreadable, or damaged (one line names the first problem)",
      "2:usage error (bad flags)"
    })
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "a snapshot (`etcdctl snapshot save` output) or a bbolt db")
  Path file;

  @Override
  public Integer call() throws Exception {
    Verification verification = Verifier.verify(file);
    PrintWriter out = spec.commandLine().getOut();
    verification.summary().forEach(out::println);
    out.flush();
    return 0;
  }
}
