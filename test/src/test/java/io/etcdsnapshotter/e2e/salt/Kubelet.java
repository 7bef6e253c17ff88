package io.etcdsnapshotter.e2e.salt;

import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the kubelet does with a static pod directory, for etcd manifests: runs every non-hidden file there (as a
 * {@link StaticPod} with the tests' etcd of one release) and kills the pod whose file left. Closing it kills every pod.
 */
final class Kubelet implements AutoCloseable {
  private final Path manifestDir;
  private final EtcdVersion version;
  private final Path logDir;
  private final Map<Path, StaticPod> running = new HashMap<>();
  private final ScheduledExecutorService sync = Executors.newSingleThreadScheduledExecutor();

  Kubelet(Path manifestDir, EtcdVersion version, Path logDir) {
    this.manifestDir = manifestDir;
    this.version = version;
    this.logDir = logDir;
    sync.scheduleWithFixedDelay(this::syncPods, 0, 200, TimeUnit.MILLISECONDS);
  }

  private synchronized void syncPods() {
    try (Stream<Path> files = Files.list(manifestDir)) {
      Map<Path, Boolean> present = new HashMap<>();
      files.filter(f -> !f.getFileName().toString().startsWith(".")).forEach(f -> present.put(f, true));
      running.entrySet().removeIf(pod -> !present.containsKey(pod.getKey()) && stop(pod.getValue()));
      for (Path manifest : present.keySet()) {
        if (!running.containsKey(manifest)) {
          start(manifest);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Salt writes a manifest through a temporary file beside it, so a pass can meet one half written or gone: as the
   * kubelet, try it again on the next pass (an exception would end this scheduled task for good).
   */
  private void start(Path manifest) {
    Path log = logDir.resolve(manifest.getFileName() + "-" + System.nanoTime() + ".log");
    try {
      running.put(manifest, StaticPod.start(manifest, version, log));
    } catch (IOException | RuntimeException notReadyYet) {
      // The next pass reads it again.
    }
  }

  private static boolean stop(StaticPod pod) {
    try {
      pod.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return true;
  }

  @Override
  public void close() throws InterruptedException {
    sync.shutdownNow();
    sync.awaitTermination(10, TimeUnit.SECONDS);
    synchronized (this) {
      for (StaticPod pod : running.values()) {
        pod.close();
      }
      running.clear();
    }
  }
}
