package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;

/** How a refused {@code kubernetes.etcd.restored} looks, for the tests that feed it a bad snapshot. */
final class RestoreRefused {
  private RestoreRefused() {}

  /** The apply failed, and the events snapshot's verify is the state that refused it, naming the file. */
  static void byTheEventsVerify(StateRun run) {
    assertThat(run.exitCode()).as("%s", run).isNotZero();
    assertThat(run.states()).as("%s", run)
        .filteredOn(state -> state.id().equals("etcd-restore-events-verify")).singleElement()
        .satisfies(verify -> {
          assertThat(verify.result()).isFalse();
          assertThat(String.valueOf(verify.changes().get("stderr"))).contains("snapshot-events.db");
        });
  }
}
