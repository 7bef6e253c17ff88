package io.etcdsnapshotter.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * {@code check -w json}: one object with the overall verdict and exit code, and per cluster every figure of the
 * table (sizes in bytes, IDs and hashes in hex), so scripts need not parse the table.
 */
public final class HealthJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HealthJson() {}

  public static String render(List<ClusterHealth> clusters, Verdict overall, long quotaBytes) {
    ObjectNode root = JSON.createObjectNode()
        .put("verdict", overall.label())
        .put("exitCode", overall.exitCode())
        .put("quotaBytes", quotaBytes);
    ArrayNode list = root.putArray("clusters");
    for (ClusterHealth c : clusters) {
      ObjectNode cluster = list.addObject()
          .put("name", c.cluster())
          .put("verdict", c.verdict().label())
          .put("reason", c.reason())
          .put("leader", c.leader())
          .put("voters", c.voters())
          .put("answeringVoters", c.answeringVoters())
          .put("quorum", c.quorum());
      cluster.putObject("agreement")
          .put("compared", c.agreement().compared())
          .put("agree", c.agreement().agree())
          .put("revision", c.agreement().revision())
          .put("detail", c.agreement().detail());
      ArrayNode members = cluster.putArray("members");
      for (MemberHealth m : c.members()) {
        ObjectNode member = members.addObject()
            .put("name", m.name())
            .put("id", m.id())
            .put("endpoint", m.endpoint())
            .put("reachable", m.reachable())
            .put("healthy", m.healthy())
            .put("isLeader", m.leader())
            .put("isLearner", m.learner())
            .put("version", m.version())
            .put("raftTerm", m.raftTerm())
            .put("raftIndex", m.raftIndex())
            .put("revision", m.revision())
            .put("dbSize", m.dbSize())
            .put("dbSizeInUse", m.dbSizeInUse())
            .put("hash", m.hash() == null ? null : Long.toHexString(m.hash()));
        m.peerUrls().forEach(member.putArray("peerURLs")::add);
        m.alarms().forEach(member.putArray("alarms")::add);
        m.problems().forEach(member.putArray("problems")::add);
      }
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot happen: a tree of plain values", e);
    }
  }
}
