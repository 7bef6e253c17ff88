package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.bolt.SnapshotFiles;
import io.etcdsnapshotter.files.PrivateFiles;
import io.etcdsnapshotter.inspect.IntegrityTrailer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The SHA-256 of a snapshot file's bytes that {@code verify --sha256-file} writes. */
final class FileSha256 {
  private FileSha256() {}

  /**
   * Whether the trailer check yields the file's SHA-256: it hashes the file's own bytes only when they are the
   * content (not encrypted) and it reads all of them (a trailer is there).
   */
  static boolean fromTrailer(Path file) throws IOException {
    return !SnapshotFiles.isEncrypted(file) && IntegrityTrailer.expectedFor(Files.size(file));
  }

  static void write(Path out, String sha256) throws IOException {
    Path parent = out.toAbsolutePath().getParent();
    PrivateFiles.createDirectories(parent);
    PrivateFiles.writeAtomically(out, (sha256 + "\n").getBytes(StandardCharsets.US_ASCII));
  }
}
