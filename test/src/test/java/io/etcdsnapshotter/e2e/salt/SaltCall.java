package io.etcdsnapshotter.e2e.salt;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcdsnapshotter.e2e.Repository;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessTree;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real {@code salt-call --local} (from the venv of scripts/setup-salt, path in SALT_CALL) against the repository's
 * {@code salt/} and {@code addons/} file roots, with a minion config, caches and pillar in a temp root. Every path the
 * formula writes is pointed into that root by pillar, so states run as the test user and touch nothing else.
 */
final class SaltCall {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  /** Long enough for any apply of the tests; one that takes longer is a hang, and is killed. */
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  private final Path root;
  private final String minionId;
  private final Duration timeout;

  SaltCall(Path root, String minionId) {
    this(root, minionId, TIMEOUT);
  }

  private SaltCall(Path root, String minionId, Duration timeout) {
    this.root = root;
    this.minionId = minionId;
    this.timeout = timeout;
  }

  /** The same minion, allowed {@code timeout} per apply: a restore of a large snapshot takes longer than a test's. */
  SaltCall withTimeout(Duration timeout) {
    return new SaltCall(root, minionId, timeout);
  }

  /** Skips, naming the fix, when salt is not installed; scripts/test always installs it. */
  static String saltCallPath() {
    String path = System.getenv("SALT_CALL");
    assumeTrue(path != null && !path.isBlank(),
        "SALT_CALL is unset: run scripts/test, or export SALT_CALL from scripts/setup-salt, to run the Salt tests");
    return path;
  }

  Path root() {
    return root;
  }

  /**
   * The environment every Salt process of a test gets: its temp dir (Python's, which cmd.script copies each script
   * into) under {@code root}, so that a job killed mid-script leaves nothing in the machine's /tmp; then {@code
   * extra}.
   */
  static Map<String, String> environment(Path root, Map<String, String> extra) throws IOException {
    Map<String, String> environment = new HashMap<>(extra);
    environment.putIfAbsent("TMPDIR", Files.createDirectories(root.resolve("tmp")).toString());
    return environment;
  }

  Path path(String relative) {
    return root.resolve(relative);
  }

  /** Applies {@code sls} with the temp-root paths plus {@code pillarYaml}, merged the way Salt merges pillar files. */
  StateRun apply(String sls, String pillarYaml) throws IOException, InterruptedException {
    return apply(sls, pillarYaml, Map.of());
  }

  /**
   * As {@link #apply(String, String)}, with {@code environment} added for salt-call and what it runs, and
   * {@code arguments} after the sls (e.g. {@code test=True}).
   */
  StateRun apply(String sls, String pillarYaml, Map<String, String> environment, String... arguments)
      throws IOException, InterruptedException {
    Path config = writeConfig(pillarYaml);
    Path stdout = root.resolve("salt-stdout.json");
    Path stderr = root.resolve("salt-stderr.log");
    List<String> command = new ArrayList<>(List.of(saltCallPath(), "--local", "--config-dir", config.toString(),
        "--out", "json", "--log-level", "warning", "state.apply", sls));
    command.addAll(List.of(arguments));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile());
    builder.environment().putAll(environment(root, environment));
    Process salt = builder.start();
    try {
      if (!salt.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("salt-call state.apply " + sls + " did not finish in " + timeout);
      }
    } finally {
      ProcessTree.kill(salt);
    }
    String json = Files.readString(stdout);
    List<StateRun.State> states =
        json.isBlank() ? List.of() : StateRun.states(JSON.unmarshal(json, Map.class).get("local"));
    return new StateRun(salt.exitValue(), states, Files.readString(stderr));
  }

  /** Writes the minion config and the pillar files, as an apply does; the config dir. */
  Path writeConfig(String pillarYaml) throws IOException {
    Path repo = Repository.root();
    Path config = Files.createDirectories(root.resolve("salt/config"));
    Path pillar = Files.createDirectories(root.resolve("salt/pillar"));
    Files.writeString(config.resolve("minion"), String.join("\n",
        "id: " + minionId,
        "file_client: local",
        "root_dir: " + root.resolve("salt"),
        "cachedir: " + root.resolve("salt/cache"),
        "pki_dir: " + root.resolve("salt/pki"),
        "log_file: " + root.resolve("salt/minion.log"),
        "enable_fqdns_grains: false",
        "file_roots: {base: [" + repo.resolve("salt") + ", " + repo.resolve("addons") + "]}",
        "pillar_roots: {base: [" + pillar + "]}",
        ""));
    Files.writeString(pillar.resolve("top.sls"), "base: {'*': [paths, test]}\n");
    Files.writeString(pillar.resolve("paths.sls"), pathsPillar());
    Files.writeString(pillar.resolve("test.sls"), pillarYaml);
    return config;
  }

  /** Defaults of defaults.yaml moved into the temp root; the JRE and jar install is skipped (tests use theirs). */
  String pathsPillar() {
    return """
        etcd:
          manifest_dir: %1$s/etc/kubernetes/manifests
          clusters:
            main: {data_dir: %1$s/var/etcd/data}
            events: {data_dir: %1$s/var/etcd/data-events}
        etcd_snapshot:
          addon_dir: %1$s/etc/kubernetes/addons/etcd-snapshot
        etcd_restore:
          snapshot_dir: %1$s/mnt/etcd
          stash_dir: %1$s/etc/kubernetes/etcd-restore-manifests
          install: false
          java: %2$s
          jar: %3$s
          s3: {download_dir: %1$s/var/lib/etcd-restore-s3}
        """.formatted(root, Jar.javaBinary(),
        System.getProperty("snapshotter.jar"));
  }
}
