package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.OneLine;
import io.etcdsnapshotter.volume.DrillOutcome;
import io.etcdsnapshotter.volume.SnapshotIndex;
import io.etcdsnapshotter.volume.SnapshotVolume;
import java.io.IOException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run does when it is told to stop (SIGTERM from the kubelet at the Job's activeDeadlineSeconds, or Ctrl-C):
 * the JVM then runs shutdown hooks but no finally block, so this hook removes the part file and records the failure
 * of the cluster in hand; the JVM exits with 143 after it. Committing a snapshot and writing the index go through
 * here too, so the hook never races them: a snapshot is either committed and recorded, or neither.
 */
final class Termination implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Termination.class);
  private final SnapshotVolume volume;
  private final SnapshotIndex index;
  private final Thread hook = new Thread(this::terminate, "terminated");
  private String inHand;
  private boolean terminated;

  Termination(SnapshotVolume volume, SnapshotIndex index) {
    this.volume = volume;
    this.index = index;
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** A step that writes the volume. */
  interface VolumeStep {
    void run() throws IOException;
  }

  /** Takes {@code cluster} in hand; after a stop no other cluster is begun while the JVM winds down. */
  synchronized void begin(String cluster) throws IOException {
    requireRunning();
    inHand = cluster;
  }

  /**
   * Commits the cluster in hand with {@code step} and records {@code entry} for it, both or neither: a stop that
   * comes between them would otherwise record a failure beside a committed snapshot.
   */
  synchronized void commit(VolumeStep step, SnapshotIndex.Entry entry) throws IOException {
    requireRunning();
    step.run();
    index.recordSuccess(inHand, entry);
    inHand = null;
  }

  /** Records how the drill of a committed snapshot went; never at the same time as the hook writes the index. */
  synchronized void drilled(String cluster, DrillOutcome drill) throws IOException {
    index.recordDrill(cluster, drill);
  }

  /** Records why the cluster in hand failed, unless the hook has already recorded its termination. */
  synchronized void failed(ClusterOutcome outcome) throws IOException {
    inHand = null;
    if (!terminated) {
      index.recordFailure(outcome.cluster(), Instant.now().toString(), outcome.failure());
    }
  }

  private void requireRunning() throws IOException {
    if (terminated) {
      throw new IOException("the run was terminated");
    }
  }

  private synchronized void terminate() {
    terminated = true;
    try {
      volume.discardParts();
      if (inHand != null) {
        String message = "terminated (SIGTERM or Ctrl-C, e.g. the Job's activeDeadlineSeconds) before its snapshot"
            + " was saved; previous snapshot kept";
        index.recordFailure(inHand, Instant.now().toString(), message);
        LOG.error("cluster {}: {}", inHand, message);
      }
    } catch (IOException | RuntimeException e) {
      LOG.error("terminated, and cleaning up failed: {}", OneLine.message(e));
    }
  }

  /** The run is over: a later stop has nothing of this run's to clean up. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // shutting down already: the hook runs, or has run
    }
  }
}
