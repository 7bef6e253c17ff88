package io.etcdsnapshotter.e2e.salt;

import io.etcdsnapshotter.e2e.Repository;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.Processes;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import io.etcdsnapshotter.testing.FreePorts;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real salt-master with one real salt-minion per {@link Master} (ids master-1 to N), all on 127.0.0.1 with free
 * publish and return ports, run as the current user with every directory (pki, cache, sockets, logs) in a temp root;
 * the master serves the repository's {@code salt/} and {@code addons/} and each minion the pillar its master would
 * get from salt-call: {@link SaltCall#pathsPillar()}, {@link Master#pillar()} and what the test adds. Closing it stops
 * every process it started, also those the daemons started themselves.
 */
final class SaltMaster implements AutoCloseable {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  /** Long enough for any orchestration of the tests; one that takes longer is a hang, and is killed. */
  private static final Duration TIMEOUT = Duration.ofMinutes(5);
  private static final Duration STARTUP = Duration.ofSeconds(90);

  private final Path config;
  private final Path pillar;
  private final Master[] masters;
  private final List<RunningProcess> daemons = new ArrayList<>();

  private SaltMaster(Path config, Path pillar, Master[] masters) {
    this.config = config;
    this.pillar = pillar;
    this.masters = masters;
  }

  /**
   * Starts the master and the minions of {@code masters} under {@code root} (the minions with {@code environment},
   * which the states they run inherit), and waits until every minion answers.
   */
  static SaltMaster start(Path root, Master[] masters, Map<String, String> environment) throws IOException {
    return start(root, masters, environment, "");
  }

  /** As {@link #start(Path, Master[], Map)}, with {@code masterConfig} (YAML) added to the master's config. */
  static SaltMaster start(Path root, Master[] masters, Map<String, String> environment, String masterConfig)
      throws IOException {
    Path bin = Path.of(SaltCall.saltCallPath()).getParent();
    Path dir = Files.createDirectories(root.resolve("salt-master"));
    Path config = Files.createDirectories(dir.resolve("config"));
    SaltMaster salt = new SaltMaster(config, Files.createDirectories(dir.resolve("pillar")), masters);
    List<Integer> ports = FreePorts.allocate(2);
    Path repo = Repository.root();
    Files.writeString(config.resolve("master"), daemonConfig(dir) + String.join("\n",
        "interface: 127.0.0.1",
        "publish_port: " + ports.get(0),
        "ret_port: " + ports.get(1),
        "auto_accept: true",
        "file_roots: {base: [" + repo.resolve("salt") + ", " + repo.resolve("addons") + "]}",
        "pillar_roots: {base: [" + salt.pillar + "]}",
        masterConfig));
    StringBuilder top = new StringBuilder("base:\n");
    for (Master master : masters) {
      String name = master.name();
      top.append("  '").append(name).append("': [paths-").append(name).append(", etcd-").append(name)
          .append(", test-").append(name).append("]\n");
      Files.writeString(salt.pillar.resolve("paths-" + name + ".sls"), master.salt().pathsPillar());
      Files.writeString(salt.pillar.resolve("etcd-" + name + ".sls"), master.pillar());
      salt.pillar(master, "");
    }
    Files.writeString(salt.pillar.resolve("top.sls"), top);
    try {
      salt.daemons.add(Processes.start(List.of(bin.resolve("salt-master").toString(), "-c", config.toString(),
          "-l", "warning"), SaltCall.environment(dir, Map.of())));
      for (Master master : masters) {
        Path minion = Files.createDirectories(master.salt().path("minion"));
        Files.writeString(minion.resolve("minion"), daemonConfig(minion) + String.join("\n",
            "id: " + master.name(),
            "master: 127.0.0.1",
            "master_port: " + ports.get(1),
            "publish_port: " + ports.get(0),
            "acceptance_wait_time: 1",
            "random_reauth_delay: 0",
            // Jobs as threads of the minion, not processes of their own: nothing outlives the minion.
            "multiprocessing: false",
            ""));
        salt.daemons.add(Processes.start(List.of(bin.resolve("salt-minion").toString(), "-c", minion.toString(),
            "-l", "warning"), SaltCall.environment(master.salt().root(), environment)));
      }
      salt.awaitMinions();
    } catch (RuntimeException | IOException e) {
      salt.close();
      throw e;
    }
    return salt;
  }

  /** What a master and a minion share: every path under {@code dir}, run as this user, no DNS lookups. */
  private static String daemonConfig(Path dir) {
    return String.join("\n",
        "root_dir: " + dir,
        "pki_dir: " + dir.resolve("pki"),
        "cachedir: " + dir.resolve("cache"),
        "sock_dir: " + dir.resolve("sock"),
        "pidfile: " + dir.resolve("salt.pid"),
        "log_file: " + dir.resolve("salt.log"),
        "key_logfile: " + dir.resolve("key.log"),
        "user: " + System.getProperty("user.name"),
        "enable_fqdns_grains: false",
        "");
  }

  /** Once every minion has the master's key (auth done), until every one answers a ping. */
  private void awaitMinions() {
    List<String> ids = List.of(masters).stream().map(Master::name).toList();
    Polling.await("minions " + ids + " authenticated with the salt-master", STARTUP,
        () -> List.of(masters).stream().allMatch(m -> Files.exists(m.salt().path("minion/pki/minion_master.pub"))),
        this::logs);
    Polling.await("minions " + ids + " answer the salt-master", STARTUP, () -> answering().containsAll(ids),
        this::logs);
  }

  private List<String> answering() {
    ProcessResult ping = salt(TIMEOUT, "--out", "json", "--static", "-t", "10", "*", "test.ping");
    if (ping.stdout().isBlank()) {
      return List.of();
    }
    return JSON.unmarshal(ping.stdout(), Map.class).keySet().stream().map(String::valueOf).toList();
  }

  /** The test's pillar of {@code master} from now on, merged over its paths pillar and {@link Master#pillar()}. */
  void pillar(Master master, String yaml) throws IOException {
    Files.writeString(pillar.resolve("test-" + master.name() + ".sls"), yaml);
  }

  /** {@code salt '*' state.apply sls}: each minion's run, by minion id. */
  Map<String, StateRun> apply(String sls) {
    return apply("*", sls, "{}");
  }

  /** {@code salt target state.apply sls pillar=...}: each minion's run, by minion id. */
  Map<String, StateRun> apply(String target, String sls, String pillarJson) {
    // After -t seconds the CLI asks each minion still silent whether it runs the job, and drops one that does not
    // answer within 10 s; a minion busy starting etcd on a loaded machine can miss that. The CLI still returns as
    // soon as every minion has, so a long -t only postpones the question past any state's usual run time.
    ProcessResult result = salt(TIMEOUT, "--out", "json", "--static", "-t", "120", target, "state.apply", sls,
        "pillar=" + pillarJson);
    Map<String, StateRun> runs = new LinkedHashMap<>();
    if (!result.stdout().isBlank()) {
      JSON.unmarshal(result.stdout(), Map.class).forEach((minion, ret) ->
          runs.put(String.valueOf(minion), new StateRun(result.exitCode(), StateRun.states(ret), result.stderr())));
    }
    return runs;
  }

  /** {@code salt-run state.orchestrate sls pillar=...}: the orchestration's own states, in run order. */
  StateRun orchestrate(String sls, String pillarJson) {
    ProcessResult result = run("salt-run", TIMEOUT, "--out", "json", "-l", "quiet", "state.orchestrate", sls,
        "pillar=" + pillarJson);
    // {"data": {"<id>_master": {stateKey: {...}}}}, or {"data": [render errors]}.
    Object data = result.stdout().isBlank() ? null : JSON.unmarshal(result.stdout(), Map.class).get("data");
    Object ret = data instanceof Map<?, ?> byId && byId.size() == 1 ? byId.values().iterator().next() : data;
    return new StateRun(result.exitCode(), StateRun.states(ret), result.stderr() + result.stdout());
  }

  /** The states {@code minion} ran for an orchestration's salt.state {@code orchestrated}, in run order. */
  static StateRun onMinion(StateRun.State orchestrated, String minion) {
    Object ret = orchestrated.changes().get("ret");
    return new StateRun(0, StateRun.states(ret instanceof Map<?, ?> byMinion ? byMinion.get(minion) : null), "");
  }

  /** {@code salt target fun args...}, e.g. {@code event.send} from a minion. */
  ProcessResult call(String target, String fun, String... args) {
    List<String> line = new ArrayList<>(List.of("--out", "json", "--static", target, fun));
    line.addAll(List.of(args));
    return salt(TIMEOUT, line.toArray(String[]::new));
  }

  /** The salt-master's log, with the reactor's lines. */
  String masterLog() {
    try {
      return Files.readString(config.resolveSibling("salt.log"));
    } catch (IOException e) {
      return "(no master log: " + e.getMessage() + ")";
    }
  }

  private ProcessResult salt(Duration timeout, String... args) {
    return run("salt", timeout, args);
  }

  private ProcessResult run(String command, Duration timeout, String... args) {
    List<String> line = new ArrayList<>(List.of(Path.of(SaltCall.saltCallPath()).resolveSibling(command).toString(),
        "-c", config.toString()));
    line.addAll(List.of(args));
    return Processes.run(line, timeout);
  }

  private String logs() {
    StringBuilder logs = new StringBuilder();
    daemons.forEach(daemon -> logs.append(daemon.stderr()));
    return logs.toString();
  }

  /**
   * SIGTERM first, which lets each daemon stop what it started; then SIGKILL to everything it had started, even
   * what was re-parented meanwhile. The master goes first, so that no minion reconnects to it in between.
   */
  @Override
  public void close() {
    for (RunningProcess daemon : daemons) {
      List<ProcessHandle> tree = ProcessHandle.of(daemon.pid()).map(p -> p.descendants().toList()).orElse(List.of());
      daemon.stop(Duration.ofSeconds(10));
      tree.forEach(ProcessHandle::destroyForcibly);
      daemon.close();
    }
    daemons.clear();
  }
}
