package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.files.PrivateFiles;
import io.etcdsnapshotter.s3.ObjectDownload;
import io.etcdsnapshotter.s3.S3;
import io.etcdsnapshotter.s3.S3Location;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The FILE of status and verify: a local file, or an {@code s3://} object downloaded and checked against its
 * recorded SHA-256 into a new private dir, which closing (or the JVM's shutdown) deletes. Reading a bolt file jumps
 * between its pages, so the object goes to disk, not memory.
 */
final class SnapshotFile implements AutoCloseable {
  /** What {@code status} and {@code verify} take as their FILE, for their help. */
  static final String WHAT = "a snapshot (`etcdctl snapshot save` output) or a bbolt db; a journal dir or segment"
      + " (see above); or s3://BUCKET/KEY, a copy the snapshot command made (.../CLUSTER-NAME/CLUSTER/latest: the"
      + " newest), downloaded and checked against its recorded SHA-256 first";

  private final Path path;
  private final Path scratch;
  private final Thread cleanup;
  private String origin;
  private String name;

  private SnapshotFile(Path path, Path scratch) {
    this.path = path;
    this.scratch = scratch;
    this.cleanup = scratch == null ? null : new Thread(this::delete, "download-cleanup");
    if (cleanup != null) {
      Runtime.getRuntime().addShutdownHook(cleanup);
    }
  }

  /** {@code scratchParent}: an existing directory for the download's private dir. */
  static SnapshotFile open(String argument, S3Options options, Path scratchParent) throws IOException {
    if (!S3Location.named(argument)) {
      return new SnapshotFile(Path.of(argument), null);
    }
    S3Location location = S3Location.parse(argument, "FILE");
    try (S3 s3 = options.connect()) {
      ObjectDownload download = new ObjectDownload(s3);
      return downloaded(download, download.find(location), scratchParent, "etcd-snapshotter-download-");
    }
  }

  /** {@code found} downloaded into a new private dir named {@code prefix}... in {@code parent}, and checked. */
  static SnapshotFile downloaded(ObjectDownload download, ObjectDownload.Found found, Path parent, String prefix)
      throws IOException {
    SnapshotFile file = new SnapshotFile(null, PrivateFiles.createTempDirectory(parent, prefix));
    try {
      download.download(found, file.path());
      file.name = found.location().toString();
      file.origin = file.name + ": " + found.size() + " bytes, sha256 " + found.sha256() + " as its metadata records";
      return file;
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /** Where a downloaded file came from and that it matched, for the output; null for a local file. */
  String origin() {
    return origin;
  }

  /** What to call the file in the output: the object it came from, or the path given. */
  String name() {
    return name != null ? name : path.toString();
  }

  Path path() {
    return path != null ? path : scratch.resolve("snapshot.db");
  }

  @Override
  public void close() {
    if (cleanup != null) {
      delete();
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
  }

  private void delete() {
    try {
      PrivateFiles.deleteTree(scratch);
    } catch (IOException e) {
      System.err.println("etcd-snapshotter: could not delete the downloaded snapshot in " + scratch + ": "
          + e.getMessage());
    }
  }
}
