package io.etcdsnapshotter.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * One etcd cluster to snapshot: its endpoints in the order they are tried, how to authenticate, the file it is
 * saved to, and how a deliberate restore of it is recognised ({@code restoredBy}, null if not configured). The names
 * {@code main} and {@code events} keep the historical file names of the saltbase layout.
 */
public record ClusterConfig(String name, List<URI> endpoints, TlsFiles tls, String user, Path passwordFile,
    RestoredBy restoredBy) {
  public static final String MAIN = "main";
  public static final String EVENTS = "events";

  /**
   * The cluster as kubernetes.etcd.restored bootstraps it from a snapshot file: members {@code initialCluster}
   * ({@code name=peerURL,...}) and the token {@code <token>-restored-<first 12 hex of the file's sha256>}.
   */
  public record RestoredBy(String token, String initialCluster) {
    public String tokenFor(String sha256) {
      return token + "-restored-" + sha256.substring(0, 12);
    }
  }

  public String fileName() {
    return MAIN.equals(name) ? "snapshot.db" : "snapshot-" + name + ".db";
  }

  /** The cluster whose snapshot {@link #fileName} is {@code fileName}; null for another name. */
  public static String nameOfFile(String fileName) {
    if (fileName.equals("snapshot.db")) {
      return MAIN;
    }
    boolean ours = fileName.startsWith("snapshot-") && fileName.endsWith(".db") && fileName.length() > 12;
    return ours ? fileName.substring(9, fileName.length() - 3) : null;
  }
}
