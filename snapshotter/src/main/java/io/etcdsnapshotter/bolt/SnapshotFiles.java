package io.etcdsnapshotter.bolt;

import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.encryption.SealedFile;
import io.etcdsnapshotter.files.ReadOnlyFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Opens a snapshot file for reading, plain or encrypted: its first bytes say which, so no flag has to. */
public final class SnapshotFiles {
  private SnapshotFiles() {}

  /** The file's content; an encrypted file's data key comes from {@code keys}. */
  public static ReadOnlyFile open(Path path, DataKeys keys) throws IOException {
    FileChannel channel = FileAccess.openReadOnly(path);
    try {
      return SealedFile.isEncrypted(channel) ? SealedFile.open(channel, path, keys) : ReadOnlyFile.of(channel, path);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Whether the file is one the snapshot command encrypted. */
  public static boolean isEncrypted(Path path) throws IOException {
    try (FileChannel channel = FileAccess.openReadOnly(path)) {
      return SealedFile.isEncrypted(channel);
    }
  }

  /** The file's content read as bbolt. */
  public static BoltFile openBolt(Path path, DataKeys keys) throws IOException {
    return BoltFile.open(open(path, keys), path);
  }
}
