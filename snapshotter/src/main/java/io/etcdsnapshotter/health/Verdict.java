package io.etcdsnapshotter.health;

/** What a cluster's check concludes, worst last; the exit code of {@code check} is that of the worst cluster. */
public enum Verdict {
  /** Every member reachable, without errors or alarms, below the quota's warning level, and all agree. */
  HEALTHY(0),
  /** Something needs an operator, but a quorum of voters is healthy and there is a leader: writes still work. */
  DEGRADED(1),
  /** No leader, or at most half of the voters healthy: the cluster cannot commit writes. */
  QUORUM_LOST(2);

  private final int exitCode;

  Verdict(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  public Verdict worse(Verdict other) {
    return other.ordinal() > ordinal() ? other : this;
  }

  /** As JSON and the table print it: healthy, degraded, quorum-lost. */
  public String label() {
    return name().toLowerCase().replace('_', '-');
  }
}
