package io.etcdsnapshotter.e2e.fs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A tmpfs of a given size mounted at a new directory: a volume that is really too small, as the tool sees it
 * through the file system's free space. Mounting takes root; tests that need it skip without.
 */
public final class SmallFileSystem implements AutoCloseable {
  private final Path mount;

  private SmallFileSystem(Path mount) {
    this.mount = mount;
  }

  /** Mounts a tmpfs of {@code size} (as mount's {@code size=} option: {@code 1m}, {@code 64m}) at new dir {@code at}. */
  public static SmallFileSystem mount(Path at, String size) throws IOException {
    assumeTrue(Processes.run(List.of("id", "-u"), Duration.ofSeconds(10)).stdout().strip().equals("0"),
        "mounting a small file system needs root");
    Path mount = Files.createDirectory(at);
    ProcessResult mounted = Processes.run(List.of("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs",
        mount.toString()), Duration.ofSeconds(10));
    assumeTrue(mounted.exitCode() == 0, "cannot mount a tmpfs here: " + mounted.stderr());
    return new SmallFileSystem(mount);
  }

  public Path path() {
    return mount;
  }

  @Override
  public void close() {
    Processes.run(List.of("umount", mount.toString()), Duration.ofSeconds(30));
  }
}
