package io.etcdsnapshotter.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * One etcd cluster to snapshot: its endpoints in the order they are tried, how to authenticate, and the file it
 * is saved to. The names {@code main} and {@code events} keep the historical file names of the saltbase layout.
 */
public record ClusterConfig(String name, List<URI> endpoints, TlsFiles tls, String user, Path passwordFile) {
  public static final String MAIN = "main";
  public static final String EVENTS = "events";

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
