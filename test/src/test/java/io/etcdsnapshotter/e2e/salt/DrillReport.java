package io.etcdsnapshotter.e2e.salt;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The recovery drill's figures: printed as they come, and kept whole for the file scripts/drill prints at the end. */
final class DrillReport {
  private static final String ROW = "%-62s";
  private final StringBuilder text = new StringBuilder();

  /** One master's apply: what Salt said and how long salt-call ran, from its start to its exit. */
  record Apply(Master master, StateRun run, Duration wall) {
    double seconds(String stateId) {
      return run.states().stream().filter(s -> s.id().equals(stateId)).mapToDouble(StateRun.State::seconds).sum();
    }

    double outsideStates() {
      return wall.toMillis() / 1000.0 - run.states().stream().mapToDouble(StateRun.State::seconds).sum();
    }
  }

  /** When one cluster reached each step after the applies: every member listening, healthy, a write accepted. */
  record Milestones(Instant listening, Instant healthy, Instant written) {}

  void line(String format, Object... args) {
    String line = String.format(format, args);
    System.out.println(line);
    text.append(line).append('\n');
  }

  /** Every state of the apply, as Salt timed it on each master, then what salt-call spent around them. */
  void applies(List<Apply> applies) {
    StringBuilder header = new StringBuilder(String.format(ROW, "kubernetes.etcd.restored, all masters at once (s)"));
    applies.forEach(apply -> header.append(String.format("%10s", apply.master().name())));
    line("%n%s", header);
    for (StateRun.State state : applies.get(0).run().states()) {
      row("  " + state.id(), applies, apply -> apply.seconds(state.id()));
    }
    row("  salt-call outside the states (start, render, exit)", applies, Apply::outsideStates);
    row("whole apply", applies, apply -> apply.wall().toMillis() / 1000.0);
  }

  /** Per cluster, each step's own time and the time since the first apply started. */
  void recovery(Instant start, Instant applied, Map<String, Milestones> clusters) {
    StringBuilder header = new StringBuilder(String.format(ROW, "from the first apply (s)"));
    clusters.keySet().forEach(cluster -> header.append(String.format("%14s%8s", cluster + ": step", "at")));
    line("%n%s", header);
    List<List<Instant>> steps = new ArrayList<>();
    clusters.values().forEach(m -> steps.add(List.of(start, applied, m.listening(), m.healthy(), m.written())));
    String[] labels = {"applies done on all masters", "every member listening (the kubelet started it)",
        "every member healthy (etcdctl endpoint health of each)", "quorum: a write accepted (etcdctl put)"};
    for (int i = 0; i < labels.length; i++) {
      StringBuilder row = new StringBuilder(String.format(ROW, labels[i]));
      for (List<Instant> times : steps) {
        row.append(String.format("%14.1f%8.1f", seconds(times.get(i), times.get(i + 1)),
            seconds(start, times.get(i + 1))));
      }
      line("%s", row);
    }
    Instant last = clusters.values().stream().map(Milestones::written).max(Instant::compareTo).orElseThrow();
    line("%ntotal: %.1f s from the first apply until every cluster accepted a write (steps polled every 0.25 s)",
        seconds(start, last));
  }

  @Override
  public String toString() {
    return text.toString();
  }

  private void row(String label, List<Apply> applies, ToDoubleFunction<Apply> seconds) {
    StringBuilder row = new StringBuilder(String.format(ROW, label));
    applies.forEach(apply -> row.append(String.format("%10.2f", seconds.applyAsDouble(apply))));
    line("%s", row);
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }
}
