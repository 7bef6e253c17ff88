package io.etcdsnapshotter.health;

import java.util.List;

/**
 * One cluster as {@code check} saw it: its members, who leads ({@code leader}: the leader's name or hex ID, null when
 * none), how many voters there are and how many answered (quorum holds while more than half do), whether the
 * members agree, and the verdict with the one-line {@code reason} for it.
 */
public record ClusterHealth(String cluster, Verdict verdict, String reason, String leader, int voters,
    int answeringVoters, boolean quorum, Agreement agreement, List<MemberHealth> members) {

  /** The voters that make a quorum of {@code voters}: more than half. */
  public static int quorumOf(int voters) {
    return voters / 2 + 1;
  }
}
