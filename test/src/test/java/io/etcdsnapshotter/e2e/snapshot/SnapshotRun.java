package io.etcdsnapshotter.e2e.snapshot;

import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import io.etcdsnapshotter.e2e.tls.TlsMaterial;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of one {@code snapshot} run, built the way an operator would type it. */
final class SnapshotRun {
  private final List<String> args = new ArrayList<>(List.of("snapshot"));

  private SnapshotRun(Path dir) {
    args.addAll(List.of("--dir", dir.toString()));
  }

  static SnapshotRun into(Path dir) {
    return new SnapshotRun(dir);
  }

  /** The cluster's members in order, so the tool tries them in that order. */
  SnapshotRun cluster(String name, EtcdCluster cluster) {
    return cluster(name, cluster.endpoints());
  }

  SnapshotRun cluster(String name, String endpoints) {
    return with("--cluster", name + "=" + endpoints);
  }

  SnapshotRun tls(TlsMaterial tls, Path caCert) {
    return with("--cacert", caCert.toString(), "--cert", tls.clientCert().toString(),
        "--key", tls.clientKey().toString());
  }

  SnapshotRun user(String user, Path passwordFile) {
    return with("--user", user, "--password-file", passwordFile.toString());
  }

  SnapshotRun with(String... more) {
    args.addAll(List.of(more));
    return this;
  }

  String[] args() {
    return args.toArray(String[]::new);
  }

  ProcessResult run() {
    return Jar.run(args());
  }

  RunningProcess start() {
    return Jar.start(args());
  }
}
