package io.etcdsnapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.bolt.SnapshotFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 15 TiB sparse file whose valid meta pages count four billion pages, read by a JVM with the 64 MiB heap of a
 * small pod: memory follows the pages read, never the count a header claims.
 */
class SparseSnapshotTest {
  private static final long SIZE = 15L << 40;

  @TempDir Path tmp;

  @Test
  void statusVerifyAndRestoreAnswerInBoundedMemory() throws Exception {
    Path file = SnapshotFixtures.sparse(tmp, "3.5", SIZE);

    Run status = run("status", file.toString(), "-w", "json");
    assertThat(status.exit()).as(status.output()).isZero();
    assertThat(status.output()).contains("\"totalSize\":" + SIZE);

    Run verify = run("verify", file.toString());
    assertThat(verify.exit()).as(verify.output()).isZero();
    assertThat(verify.output()).contains("pages     " + SIZE / SnapshotFixtures.PAGE + " of 4096 bytes: 188 in use");

    Run restore = run("restore", file.toString(), "--skip-hash-check", "--data-dir", tmp.resolve("data").toString());
    assertThat(restore.exit()).as(restore.output()).isEqualTo(Main.EXIT_FAILED);
    assertThat(restore.output()).startsWith("etcd-snapshotter restore: not enough space for ").hasLineCount(1);
  }

  private record Run(int exit, String output) {}

  private static Run run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(process.waitFor(), output);
  }
}
