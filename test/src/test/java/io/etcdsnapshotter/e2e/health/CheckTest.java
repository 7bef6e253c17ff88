package io.etcdsnapshotter.e2e.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdMember;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Json;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code check} against three real members: healthy (after a compaction), one down (degraded), two down (quorum
 * lost), over TLS and with authentication.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(value = EtcdVersion.class, names = {"V3_5", "V3_6"})
class CheckTest {
  @Parameter EtcdVersion version;
  private EtcdCluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aHealthyClusterExitsZeroAndNamesEveryMemberWithLeaderTermIndexAndDbSize() {
    cluster = EtcdCluster.start(version, 3, Security.PLAIN);
    cluster.etcdctl().ok("put", "/registry/pods/default/a", "value");
    cluster.etcdctl().ok("put", "/registry/pods/default/a", "changed");
    // Compacted at 3, then written on: the members are compared at the compaction's revision, whose hash etcd kept
    // from compacting, not at 4, which would make each read its whole keyspace.
    cluster.etcdctl().ok("compact", "3");
    cluster.etcdctl().ok("put", "/registry/pods/default/b", "after the compaction");

    ProcessResult table = check("table");
    ProcessResult json = check("json");

    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.stdout()).contains("m0", "m1", "m2", "RAFT TERM", "RAFT INDEX", "DB SIZE", "IS LEADER")
        .contains("cluster main: healthy: leader m");
    assertThat(json.exitCode()).as(json.toString()).isZero();
    JsonNode main = Json.parse(json.stdout()).get("clusters").get(0);
    assertThat(main.get("verdict").asText()).isEqualTo("healthy");
    assertThat(main.get("answeringVoters").asInt()).isEqualTo(3);
    assertThat(main.get("agreement").get("compared").asBoolean()).isTrue();
    assertThat(main.get("agreement").get("agree").asBoolean()).isTrue();
    assertThat(main.get("agreement").get("revision").asLong()).isEqualTo(3);
    List<JsonNode> members = members(main);
    assertThat(members).extracting(m -> m.get("name").asText()).containsExactlyInAnyOrder("m0", "m1", "m2");
    assertThat(members).filteredOn(m -> m.get("isLeader").asBoolean()).hasSize(1);
    assertThat(members).allSatisfy(m -> {
      assertThat(m.get("healthy").asBoolean()).isTrue();
      assertThat(m.get("raftTerm").asLong()).isPositive();
      assertThat(m.get("raftIndex").asLong()).isPositive();
      assertThat(m.get("dbSize").asLong()).isPositive();
      assertThat(m.get("hash").asText()).isEqualTo(members.get(0).get("hash").asText());
    });
    assertThat(Jar.hasStackTrace(table)).isFalse();
  }

  @Test
  void oneMemberDownIsDegradedNamingItUnreachableWhileQuorumHolds() {
    cluster = EtcdCluster.start(version, 3, Security.PLAIN);
    EtcdMember down = cluster.member(2);
    down.stop();

    ProcessResult run = check("json");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(Jar.messages(run)).as(run.toString()).singleElement().satisfies(line -> assertThat(line)
        .contains("cluster main", "degraded", down.name() + ": unreachable"));
    JsonNode main = Json.parse(run.stdout()).get("clusters").get(0);
    assertThat(main.get("quorum").asBoolean()).isTrue();
    assertThat(main.get("answeringVoters").asInt()).isEqualTo(2);
    assertThat(members(main)).filteredOn(m -> m.get("name").asText().equals(down.name())).singleElement()
        .satisfies(m -> assertThat(m.get("healthy").asBoolean()).isFalse());
  }

  @Test
  void twoOfThreeDownIsQuorumLostWithOneLine() {
    cluster = EtcdCluster.start(version, 3, Security.PLAIN);
    cluster.member(1).stop();
    cluster.member(2).stop();

    ProcessResult run = check("table");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(Jar.messages(run)).as(run.toString()).singleElement().satisfies(line -> assertThat(line)
        .contains("cluster main", "quorum lost", "1 of 3 voters answer"));
    assertThat(Jar.hasStackTrace(run)).as(run.toString()).isFalse();
  }

  @Test
  void aTlsClusterIsCheckedWithClientCertificates() {
    cluster = EtcdCluster.start(version, 3, Security.TLS);

    ProcessResult run = Jar.run("check", "--cluster", "main=" + cluster.endpoints(),
        "--cacert", cluster.tls().caCert().toString(), "--cert", cluster.tls().clientCert().toString(),
        "--key", cluster.tls().clientKey().toString(), "-w", "json");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(members(Json.parse(run.stdout()).get("clusters").get(0))).hasSize(3)
        .allSatisfy(m -> assertThat(m.get("healthy").asBoolean()).isTrue());
  }

  @Test
  void aClusterWithAuthenticationIsCheckedAsItsUser(@TempDir Path tmp) {
    cluster = EtcdCluster.start(version, 3, Security.AUTH);

    ProcessResult run = Jar.run("check", "--cluster", "main=" + cluster.endpoints(), "--user", EtcdCluster.USER,
        "--password-file", EtcdCluster.writePasswordFile(tmp.resolve("password")).toString(), "-w", "json");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(members(Json.parse(run.stdout()).get("clusters").get(0))).hasSize(3)
        .allSatisfy(m -> assertThat(m.get("healthy").asBoolean()).isTrue());
  }

  @Test
  void aUsageErrorExits64NotTheQuorumLostCode() {
    ProcessResult run = Jar.run("check", "--cluster", "main");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(64);
    assertThat(Jar.messages(run)).singleElement().satisfies(line -> assertThat(line).contains("NAME=URL"));
  }

  /** Only the members' own endpoints: the defaults would also check an events cluster these tests do not run. */
  private ProcessResult check(String format) {
    return Jar.run("check", "--cluster", "main=" + cluster.endpoints(), "-w", format);
  }

  private static List<JsonNode> members(JsonNode cluster) {
    return StreamSupport.stream(cluster.get("members").spliterator(), false).toList();
  }
}
