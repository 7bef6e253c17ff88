package io.etcdsnapshotter.e2e.process;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Last line of defence against leaked processes: fixtures kill what they start in close(), and this shutdown
 * hook kills whatever is still alive when the test JVM exits, also after a failed or aborted run.
 */
final class ProcessReaper {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ProcessTree::kill), "process-reaper"));
  }

  private ProcessReaper() {}

  static Process track(Process process) {
    LIVE.add(process);
    process.onExit().thenRun(() -> LIVE.remove(process));
    return process;
  }
}
