package io.etcdsnapshotter.e2e.process;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Kills a process and everything under it, and waits until they are gone: a child still writing into a test's temp
 * dir as JUnit deletes it fails the test. Its descendants go first, again until none is left (a daemon may start a
 * job meanwhile), so that none is re-parented away from the tree before it is killed.
 */
public final class ProcessTree {
  private static final int ROUNDS = 5;
  private static final long WAIT_SECONDS = 10;

  private ProcessTree() {}

  public static void kill(Process process) {
    for (int round = 0; round < ROUNDS; round++) {
      List<ProcessHandle> descendants = process.descendants().toList();
      if (descendants.isEmpty()) {
        break;
      }
      descendants.forEach(ProcessHandle::destroyForcibly);
      descendants.forEach(ProcessTree::awaitExit);
    }
    process.destroyForcibly();
    awaitExit(process.toHandle());
  }

  private static void awaitExit(ProcessHandle handle) {
    try {
      handle.onExit().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // still alive after the wait, or its exit not observable: the next round or the caller's cleanup says so
    }
  }
}
