package io.etcdsnapshotter.e2e.kube;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' own addon manager, {@code kube-addons-main.sh} from the k8s.io/kubernetes module (scripts/kube/build
 * copies it beside the binaries), looping against a {@link KubeApiServer} as it does on a master: each pass creates
 * the EnsureExists objects under the addon path that do not exist yet and applies the Reconcile ones with
 * {@code --prune}, which deletes the Reconcile objects whose files are gone. It waits for the default ServiceAccount
 * of kube-system, so the server needs its controller manager. Leader election is off: it is the only one.
 */
public final class AddonManager implements AutoCloseable {
  private static final String PASS_DONE = "== Kubernetes addon reconcile completed";
  private static final Duration PASS_TIMEOUT = Duration.ofSeconds(60);

  private final RunningProcess process;

  private AddonManager(RunningProcess process) {
    this.process = process;
  }

  /** Starts the loop over {@code addonPath}, one pass a second; waits until its first pass is done. */
  public static AddonManager start(KubeApiServer server, Path addonPath, Path logPrefix) {
    Path scripts = server.bin().resolve("addon-manager");
    assumeTrue(Files.isRegularFile(scripts.resolve("kube-addons-main.sh")),
        "no addon manager in " + scripts + ": rebuild with scripts/kube/build (run scripts/test)");
    AddonManager manager = new AddonManager(RunningProcess.start(
        // It sources kube-addons.sh from its working directory.
        List.of("bash", "-c", "cd \"$0\" && exec bash kube-addons-main.sh", scripts.toString()),
        Map.of("KUBECTL_BIN", server.bin().resolve("kubectl").toString(),
            "KUBECTL_OPTS", "--kubeconfig=" + server.kubeconfig(),
            "ADDON_PATH", addonPath.toString(),
            "TEST_ADDON_CHECK_INTERVAL_SEC", "1",
            "ADDON_MANAGER_LEADER_ELECTION", "false"),
        logPrefix));
    try {
      manager.awaitPass();
      return manager;
    } catch (RuntimeException | Error e) {
      manager.close();
      throw e;
    }
  }

  /** Returns once a whole pass has started and ended after this call, so it has seen the files as they are now. */
  public void awaitPass() {
    long target = passes() + 2;
    Polling.await("the addon manager's pass over the addon files", PASS_TIMEOUT,
        () -> passes() >= target || !process.isAlive(), this::log);
    if (!process.isAlive()) {
      throw new AssertionError("the addon manager exited:\n" + log());
    }
  }

  /** Everything it and its kubectl calls printed: kubectl's warnings go to stderr. */
  public String log() {
    return process.stdout() + process.stderr();
  }

  private long passes() {
    return process.stdout().lines().filter(line -> line.contains(PASS_DONE)).count();
  }

  @Override
  public void close() {
    process.kill();
  }
}
