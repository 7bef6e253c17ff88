package io.etcdsnapshotter.e2e.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Proves the fixture itself: the clusters start as asked, serve, enforce their security, and can be snapshotted. */
class EtcdClusterTest {
  @TempDir Path tmp;

  static Stream<Arguments> everyVariant() {
    return Stream.of(EtcdVersion.values())
        .flatMap(version -> Stream.of(Security.values()).map(security -> Arguments.of(version, security)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyVariant")
  void singleMemberServesKeysAndSnapshots(EtcdVersion version, Security security) {
    try (EtcdCluster cluster = EtcdCluster.start(version, 1, security)) {
      Etcdctl etcdctl = cluster.etcdctl();
      etcdctl.ok("put", "/fixture/key", "value");
      assertThat(etcdctl.ok("get", "/fixture/key", "--print-value-only")).isEqualTo("value\n");
      assertThat(etcdctl.ok("version")).contains("etcdctl version: " + version.release() + ".");

      Path snapshot = tmp.resolve("etcdctl.db");
      etcdctl.saveSnapshot(snapshot);
      assertThat(new SnapshotTool(version).statusJson(snapshot).path("revision").asLong())
          .isEqualTo(etcdctl.revision());
    }
  }

  @ParameterizedTest
  @EnumSource(EtcdVersion.class)
  void tlsClusterRefusesClientsWithoutItsCertificates(EtcdVersion version) {
    try (EtcdCluster cluster = EtcdCluster.start(version, 1, Security.TLS)) {
      Etcdctl noClientCert = new Etcdctl(version, List.of(cluster.member(0).clientUrl()), null, null);
      ProcessResult refused = noClientCert.probe("get", "/any");
      assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
      assertThat(cluster.member(0).clientUrl().getScheme()).isEqualTo("https");
    }
  }

  @ParameterizedTest
  @EnumSource(EtcdVersion.class)
  void authClusterAcceptsItsUserAndRefusesOthers(EtcdVersion version) {
    try (EtcdCluster cluster = EtcdCluster.start(version, 1, Security.AUTH)) {
      List<URI> urls = List.of(cluster.member(0).clientUrl());
      ProcessResult anonymous = new Etcdctl(version, urls, null, null).probe("get", "/any");
      assertThat(anonymous.exitCode()).as(anonymous.toString()).isNotZero();
      ProcessResult wrongPassword =
          new Etcdctl(version, urls, null, EtcdCluster.USER + ":nope").probe("get", "/any");
      assertThat(wrongPassword.stderr()).contains("authentication failed");

      Etcdctl user = new Etcdctl(version, urls, null, EtcdCluster.USER + ":" + EtcdCluster.PASSWORD);
      user.saveSnapshot(tmp.resolve("as-user.db"));
      assertThat(tmp.resolve("as-user.db")).isNotEmptyFile();
    }
  }

  @ParameterizedTest
  @EnumSource(EtcdVersion.class)
  void threeMembersReplicateAndSurviveLosingOne(EtcdVersion version) {
    try (EtcdCluster cluster = EtcdCluster.start(version, 3, Security.PLAIN)) {
      cluster.etcdctl(cluster.member(0)).ok("put", "/fixture/k", "one");
      assertThat(cluster.etcdctl(cluster.member(2)).ok("get", "/fixture/k", "--print-value-only"))
          .isEqualTo("one\n");
      assertThat(cluster.etcdctl().ok("member", "list")).contains("m0", "m1", "m2");

      cluster.member(0).kill();
      assertThat(cluster.etcdctl(cluster.member(0)).probe("get", "/fixture/k").exitCode()).isNotZero();
      cluster.etcdctl(cluster.member(1)).ok("put", "/fixture/k", "two");

      cluster.restart(cluster.member(0));
      assertThat(cluster.etcdctl(cluster.member(0)).ok("get", "/fixture/k", "--print-value-only"))
          .isEqualTo("two\n");
    }
  }

  @ParameterizedTest
  @EnumSource(EtcdVersion.class)
  void frozenMemberAnswersNothingUntilResumed(EtcdVersion version) {
    try (EtcdCluster cluster = EtcdCluster.start(version, 1, Security.PLAIN)) {
      Etcdctl etcdctl = cluster.etcdctl();
      cluster.member(0).freeze();
      assertThat(etcdctl.probe("get", "/any").exitCode()).isNotZero();
      cluster.member(0).resume();
      assertThat(etcdctl.run("get", "/any").exitCode()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(EtcdVersion.class)
  void seederLeavesLeasesDeletionsAndACompaction(EtcdVersion version) {
    try (EtcdCluster cluster = EtcdCluster.start(version, 1, Security.PLAIN)) {
      DataSeeder.Seeded seeded = DataSeeder.seed(cluster, "main", 3_000);
      Etcdctl etcdctl = cluster.etcdctl();

      assertThat(seeded.liveKeys()).isGreaterThan(2_500);
      assertThat(etcdctl.keyCount()).isEqualTo(seeded.liveKeys());
      assertThat(etcdctl.revision()).isEqualTo(seeded.revision());
      assertThat(etcdctl.ok("get", "/main/key/000003")).isEmpty();
      assertThat(etcdctl.ok("lease", "list")).contains("found 1 leases");
      ProcessResult beforeCompaction =
          etcdctl.run("get", "/main/key/000000", "--rev=" + (seeded.compactedRevision() - 1));
      assertThat(beforeCompaction.stderr()).contains("compacted");
    }
  }
}
