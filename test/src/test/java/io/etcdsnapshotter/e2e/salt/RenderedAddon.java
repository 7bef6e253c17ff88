package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The etcd-snapshot kube-addon as real salt-call renders it ({@code kubernetes.etcd.snapshot-addon}), for tests
 * outside this package that install it on an API server.
 */
public final class RenderedAddon {
  private static final String SLS = "kubernetes.etcd.snapshot-addon";
  private static final String ADDON_DIR = "etc/kubernetes/addons/etcd-snapshot";

  private RenderedAddon() {}

  /**
   * Renders the addon for {@code pillarYaml} under {@code root} (Salt's config and caches go there too) and returns
   * the addon directory; fails the test when the state fails, skips it without Salt.
   */
  public static Path render(Path root, String pillarYaml) {
    try {
      StateRun run = new SaltCall(root, "m1").apply(SLS, pillarYaml);
      assertThat(run.succeeded()).as("%s", run).isTrue();
      return root.resolve(ADDON_DIR);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while salt-call rendered the addon", e);
    }
  }
}
