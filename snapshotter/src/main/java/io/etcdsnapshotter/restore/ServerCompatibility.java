package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.bolt.SnapshotFiles;
import io.etcdsnapshotter.encryption.DataKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which etcd servers can start a data dir restored from a snapshot. A restore keeps the snapshot's storage and
 * cluster versions, as etcdutl of every release does, so the data dir needs what the snapshot needed: etcd 3.6+
 * refuses a storage version of a newer minor line ("version 3.7.0 is not supported") and panics on a newer cluster
 * version ("invalid downgrade"), and etcd 3.4.31+ panics on any storage version but 3.4/3.5. etcd 3.5 and older 3.4
 * check neither and start.
 */
public final class ServerCompatibility {
  private static final EtcdRelease NEWEST_SCHEMA_OF_34 = new EtcdRelease(3, 5, 0);

  private final Optional<EtcdRelease> storage;
  private final Optional<EtcdRelease> cluster;

  private ServerCompatibility(Optional<EtcdRelease> storage, Optional<EtcdRelease> cluster) {
    this.storage = storage;
    this.cluster = cluster;
  }

  /**
   * Refuses a snapshot file the given server would not start from once restored; reads only two keys (an encrypted
   * file with the data key {@code keys} gives).
   */
  public static void check(Path snapshot, EtcdRelease server, DataKeys keys) throws IOException {
    try (BoltFile source = SnapshotFiles.openBolt(snapshot, keys)) {
      of(source).check(server);
    }
  }

  static ServerCompatibility of(BoltFile source) throws IOException {
    return new ServerCompatibility(
        read(source.get(Backend.META, Backend.STORAGE_VERSION), "storage version (meta/storageVersion)"),
        read(source.get(Backend.CLUSTER, Backend.CLUSTER_VERSION), "cluster version (cluster/clusterVersion)"));
  }

  private static Optional<EtcdRelease> read(Optional<byte[]> stored, String what) throws IOException {
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    String text = new String(stored.get(), StandardCharsets.UTF_8);
    Optional<EtcdRelease> version = EtcdRelease.parse(text);
    if (version.isEmpty()) {
      throw new IOException("the snapshot's " + what + " '" + text + "' is not a version; is it an etcd snapshot?");
    }
    return version;
  }

  /** Refuses, before anything is written, a snapshot the given server would not start from. */
  void check(EtcdRelease server) throws IOException {
    if (server.atLeast(3, 6, 0)) {
      refuseNewer(storage, server, "storage version", "is not supported");
      refuseNewer(cluster, server, "cluster version", "invalid downgrade");
    } else if (server.line().equals("3.4") && server.atLeast(3, 4, 31)
        && storage.filter(v -> v.newerLineThan(NEWEST_SCHEMA_OF_34)).isPresent()) {
      throw refusal(storage.get(), server, "storage version", "unsupported storage version");
    }
  }

  private static void refuseNewer(Optional<EtcdRelease> version, EtcdRelease server, String what, String etcdSays)
      throws IOException {
    if (version.filter(v -> v.newerLineThan(server)).isPresent()) {
      throw refusal(version.get(), server, what, etcdSays);
    }
  }

  private static IOException refusal(EtcdRelease version, EtcdRelease server, String what, String etcdSays) {
    return new IOException("the snapshot's " + what + " is " + version + " and etcd " + server + " refuses to start"
        + " from it (\"" + etcdSays + "\"); run the restored member on etcd " + version.line() + " or newer and"
        + " say so with --etcd-version");
  }

  /** The schema the result carries and the servers meant to run it, for the restore's closing line. */
  String describe() {
    return storage.map(v -> "storage version " + v + " (etcd " + v.line() + " or newer)")
        .orElse("no storage version (etcd 3.4 or newer)");
  }
}
