package io.etcdsnapshotter.e2e.snapshot;

import io.etcdsnapshotter.e2e.process.RunningProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** Watches a volume for the temporary file a running snapshot streams into. */
final class TempFiles {
  private static final Duration PATIENCE = Duration.ofMinutes(2);

  private TempFiles() {}

  /**
   * Waits until a new file (not in {@code known}, not the index or the lock) holds bytes: the stream is running.
   * Fails if the run ends first, since then nothing could be done to it mid-stream.
   */
  static Path awaitGrowing(Path volume, Set<String> known, RunningProcess run) {
    Instant deadline = Instant.now().plus(PATIENCE);
    while (Instant.now().isBefore(deadline)) {
      Optional<Path> growing = find(volume, known);
      if (growing.isPresent()) {
        return growing.get();
      }
      if (!run.isAlive()) {
        throw new AssertionError("the run ended before its stream could be caught: " + run.await(Duration.ZERO));
      }
      pause();
    }
    throw new AssertionError("no temp file appeared in " + volume + " within " + PATIENCE);
  }

  private static Optional<Path> find(Path volume, Set<String> known) {
    if (!Files.isDirectory(volume)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(volume)) {
      return files.filter(path -> !known.contains(path.getFileName().toString()))
          .filter(path -> !Volume.isBookkeeping(path))
          .filter(TempFiles::hasBytes)
          .findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean hasBytes(Path path) {
    try {
      return Files.size(path) > 0;
    } catch (IOException e) {
      return false; // renamed or removed between listing and looking
    }
  }

  private static void pause() {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
