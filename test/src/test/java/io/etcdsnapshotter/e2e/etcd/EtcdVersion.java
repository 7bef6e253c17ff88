package io.etcdsnapshotter.e2e.etcd;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcdsnapshotter.e2e.process.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The etcd releases the tests run against, each found through the environment variable scripts/test exports:
 * Debian's 3.4, and 3.5, 3.6 (what Kubernetes 1.34+ runs) and 3.7 built from etcd's Go modules.
 */
public enum EtcdVersion {
  V3_4("3.4", "ETCD34_BIN", "/usr/bin"),
  V3_5("3.5", "ETCD35_BIN", null),
  V3_6("3.6", "ETCD36_BIN", null),
  V3_7("3.7", "ETCD37_BIN", null);

  private final String release;
  private final String binVariable;
  private final String defaultBin;
  private volatile boolean checked;

  EtcdVersion(String release, String binVariable, String defaultBin) {
    this.release = release;
    this.binVariable = binVariable;
    this.defaultBin = defaultBin;
  }

  /**
   * Skips the calling test when this release is not installed (scripts/test always installs every one), and fails it
   * when the directory holds a different release than its variable promises.
   */
  public void assumeInstalled() {
    String dir = System.getenv().getOrDefault(binVariable, defaultBin);
    assumeTrue(dir != null && Files.isExecutable(Path.of(dir, "etcd")),
        "etcd " + release + " not found: set " + binVariable + " to the directory holding its etcd, etcdctl"
            + (this == V3_4 ? "" : " and etcdutl") + " (scripts/setup prints it)");
    if (!checked) {
      String reported = Processes.run(List.of(binary("etcd").toString(), "--version"), Duration.ofSeconds(30))
          .orThrow().stdout();
      if (!reported.contains("etcd Version: " + release + ".")) {
        throw new IllegalStateException(binVariable + " points at the wrong etcd: " + reported.lines().findFirst());
      }
      checked = true;
    }
  }

  /** The minor line, such as "3.5". */
  public String release() {
    return release;
  }

  /** The directory holding this release's etcd and etcdctl; skips the calling test when it is not installed. */
  public Path binDir() {
    assumeInstalled();
    return binary("etcd").getParent();
  }

  public Path binary(String name) {
    return Path.of(System.getenv().getOrDefault(binVariable, defaultBin), name);
  }

  /** The offline snapshot tool: {@code etcdctl} in 3.4; from 3.5 on {@code etcdutl} (etcdctl's copy is deprecated). */
  public Path snapshotTool() {
    return binary(this == V3_4 ? "etcdctl" : "etcdutl");
  }

  @Override
  public String toString() {
    return "etcd " + release;
  }
}
