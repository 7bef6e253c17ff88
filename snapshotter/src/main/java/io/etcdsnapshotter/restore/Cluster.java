package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.UsageException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster a restore bootstraps: members sorted by unsigned ID, the cluster ID and the local member, built and
 * checked as etcd's VerifyBootstrap does before it writes anything. Advertise URLs are compared as strings (etcd
 * resolves host names first), which is stricter.
 */
public record Cluster(List<Member> members, long clusterId, Member local) {
  public Cluster {
    members = List.copyOf(members);
  }

  /**
   * @param initialCluster {@code name=url,name=url,...}; a name given twice gathers several URLs
   * @param advertisePeerUrls comma-separated; only checked against the local member's URLs
   */
  public static Cluster bootstrap(String name, String initialCluster, String token, String advertisePeerUrls) {
    Map<String, List<String>> urlsByName = parseInitialCluster(initialCluster);
    List<String> localUrls = urlsByName.get(name);
    if (localUrls == null) {
      throw new UsageException("--name '" + name + "' is not in --initial-cluster " + urlsByName.keySet()
          + "; add " + name + "=PEER_URL to it or fix --name");
    }
    List<String> advertised = PeerUrls.parseSorted(splitList(advertisePeerUrls), "--initial-advertise-peer-urls");
    if (!advertised.equals(localUrls)) {
      throw new UsageException("--initial-advertise-peer-urls " + advertised + " differ from --initial-cluster's "
          + localUrls + " for member '" + name + "'; make them the same");
    }
    List<Member> members = members(urlsByName, token);
    Member local = members.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
    return new Cluster(members, clusterIdOf(members), local);
  }

  /**
   * The etcd cluster ID a restore with {@code initialCluster} and {@code token} gives the cluster, as etcd derives it
   * from its members' IDs: the same members and token give the same ID on every master and every time.
   */
  public static long idOf(String initialCluster, String token) {
    return clusterIdOf(members(parseInitialCluster(initialCluster), token));
  }

  private static List<Member> members(Map<String, List<String>> urlsByName, String token) {
    rejectDuplicateUrls(urlsByName);
    List<Member> members = new ArrayList<>();
    urlsByName.forEach((memberName, urls) -> members.add(Member.of(memberName, urls, token)));
    members.sort(Comparator.comparing(Member::id, Long::compareUnsigned));
    return members;
  }

  /** The smallest member ID: the vote of the restored HardState (not necessarily the local member). */
  public long firstId() {
    return members.get(0).id();
  }

  private static Map<String, List<String>> parseInitialCluster(String initialCluster) {
    Map<String, List<String>> raw = new LinkedHashMap<>();
    for (String element : initialCluster.split(",", -1)) {
      if (element.isEmpty()) {
        continue;
      }
      int eq = element.indexOf('=');
      String memberName = eq < 0 ? element : element.substring(0, eq);
      raw.computeIfAbsent(memberName, k -> new ArrayList<>()).add(eq < 0 ? "" : element.substring(eq + 1));
    }
    if (raw.isEmpty()) {
      throw new UsageException("--initial-cluster is empty; give NAME=PEER_URL[,NAME=PEER_URL...]");
    }
    Map<String, List<String>> parsed = new LinkedHashMap<>();
    raw.forEach((memberName, urls) -> parsed.put(memberName, PeerUrls.parseSorted(urls, "--initial-cluster")));
    return parsed;
  }

  private static void rejectDuplicateUrls(Map<String, List<String>> urlsByName) {
    Set<String> seen = new HashSet<>();
    urlsByName.values().stream().flatMap(List::stream).filter(url -> !seen.add(url)).findFirst().ifPresent(url -> {
      throw new UsageException("--initial-cluster names URL " + url + " more than once; every member needs its"
          + " own peer URLs");
    });
  }

  private static List<String> splitList(String csv) {
    return Arrays.stream(csv.split(",", -1)).toList();
  }

  private static long clusterIdOf(List<Member> sortedMembers) {
    ByteBuffer ids = ByteBuffer.allocate(8 * sortedMembers.size());
    sortedMembers.forEach(m -> ids.putLong(m.id()));
    return Member.first8BigEndian(Member.sha1(ids.array()));
  }
}
