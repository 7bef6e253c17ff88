package io.etcdsnapshotter.e2e.kube;

import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.nio.file.Path;

/**
 * One pass of the addon manager over an addon directory, made once: the kubectl calls of kube-addons.sh, which apply
 * the Reconcile objects and create the EnsureExists ones (a PVC that exists is left as it is). Without its
 * {@code --prune}, which only acts once files are gone: {@link AddonManager} runs the real loop for tests of that.
 */
public final class AddonPass {
  private static final String MODE = "addonmanager.kubernetes.io/mode";

  private AddonPass() {}

  /** Applies {@code dir} to {@code server} as the admin, as the addon manager does on a master. */
  public static void apply(KubeApiServer server, Path dir) {
    server.kubectl("apply", "-f", dir.toString(), "--recursive", "-l", MODE + "=Reconcile").orThrow();
    ProcessResult created = server.kubectl("create", "-f", dir.toString(), "--recursive", "-l",
        MODE + "=EnsureExists");
    boolean onlyExisting = created.stderrLines().stream().allMatch(line -> line.contains("AlreadyExists"));
    if (created.exitCode() != 0 && !onlyExisting) {
      throw new IllegalStateException("kubectl create of the EnsureExists objects failed: " + created);
    }
  }
}
