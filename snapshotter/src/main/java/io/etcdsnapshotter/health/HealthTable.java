package io.etcdsnapshotter.health;

import io.etcdsnapshotter.TextTable;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code check -w table}: per cluster, one row per member in the box of etcdctl's {@code endpoint status -w table},
 * then one line with the cluster's verdict and its reason.
 */
public final class HealthTable {
  private static final List<String> HEADER = List.of("NAME", "ENDPOINT", "ID", "HEALTHY", "IS LEADER", "IS LEARNER",
      "RAFT TERM", "RAFT INDEX", "DB SIZE", "DB SIZE IN USE", "QUOTA USED", "ALARMS", "HASH", "PROBLEMS");

  private HealthTable() {}

  public static String render(List<ClusterHealth> clusters, long quotaBytes) {
    StringBuilder out = new StringBuilder();
    for (ClusterHealth cluster : clusters) {
      List<List<String>> rows = new ArrayList<>();
      for (MemberHealth m : cluster.members()) {
        boolean reached = m.reachable();
        rows.add(List.of(m.name(), m.endpoint(), m.id(), Boolean.toString(m.healthy()), Boolean.toString(m.leader()),
            Boolean.toString(m.learner()), reached ? Long.toString(m.raftTerm()) : "",
            reached ? Long.toString(m.raftIndex()) : "", reached ? TextTable.humanBytes(m.dbSize()) : "",
            reached ? TextTable.humanBytes(m.dbSizeInUse()) : "",
            reached ? Math.round(100.0 * m.dbSize() / quotaBytes) + "%" : "", String.join(",", m.alarms()),
            m.hash() == null ? "" : Long.toHexString(m.hash()), String.join("; ", m.problems())));
      }
      out.append("cluster ").append(cluster.cluster()).append('\n')
          .append(TextTable.render(HEADER, rows))
          .append("cluster ").append(cluster.cluster()).append(": ").append(cluster.reason()).append('\n');
    }
    return out.toString();
  }
}
