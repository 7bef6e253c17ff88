package io.etcdsnapshotter.e2e.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.etcd.SnapshotTool;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Clusters that demand client certificates or a password: the right ones work, wrong ones fail clearly. */
@ParameterizedClass(name = "{0}")
@EnumSource(EtcdVersion.class)
class SnapshotSecurityTest {
  private static EtcdCluster tls;
  private static EtcdCluster auth;

  @Parameter EtcdVersion version;
  @TempDir Path tmp;

  @BeforeParameterizedClassInvocation
  static void startClusters(EtcdVersion version) {
    tls = EtcdCluster.start(version, 1, Security.TLS);
    auth = EtcdCluster.start(version, 1, Security.AUTH);
    tls.etcdctl().ok("put", "/registry/secrets/default/tls", "value");
    auth.etcdctl().ok("put", "/registry/secrets/default/auth", "value");
  }

  @AfterParameterizedClassInvocation
  static void stopClusters() {
    try (EtcdCluster first = tls; EtcdCluster second = auth) {
      // closes both, even when one fails to close
    }
  }

  @Test
  void clientCertificatesSignedByTheServersCaSucceed() {
    ProcessResult run = SnapshotRun.into(volume()).cluster("main", tls).tls(tls.tls(), tls.tls().caCert()).run();

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertSavedAtTheClustersRevision(tls);
  }

  @Test
  void aCaThatDidNotSignTheServerFailsWithOneLine() {
    ProcessResult run = SnapshotRun.into(volume()).cluster("main", tls).tls(tls.tls(), tls.tls().otherCaCert()).run();

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(Jar.messages(run)).as(run.toString()).singleElement().satisfies(line -> assertThat(line)
        .contains("main", tls.endpoints())
        .containsAnyOf("TLS", "certificate", "handshake"));
    assertThat(volume().resolve("snapshot.db")).doesNotExist();
    assertThat(Jar.hasStackTrace(run)).as(run.toString()).isFalse();
  }

  @Test
  void theRightPasswordSucceeds() {
    ProcessResult run = SnapshotRun.into(volume()).cluster("main", auth)
        .user(EtcdCluster.USER, EtcdCluster.writePasswordFile(tmp.resolve("password"))).run();

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertSavedAtTheClustersRevision(auth);
  }

  @Test
  void aWrongPasswordFailsNamingAuthentication() throws IOException {
    Path wrong = Files.writeString(tmp.resolve("password"), "not-the-password\n");

    ProcessResult run = SnapshotRun.into(volume()).cluster("main", auth).user(EtcdCluster.USER, wrong).run();

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(Jar.messages(run)).as(run.toString()).singleElement().satisfies(line -> assertThat(line)
        .contains("main", auth.endpoints())
        .containsIgnoringCase("authentication"));
    assertThat(volume().resolve("snapshot.db")).doesNotExist();
  }

  @Test
  void tlsFilesWithAPlainHttpEndpointAreAUsageErrorBeforeAnythingIsSent() {
    ProcessResult run = SnapshotRun.into(volume()).cluster("main", auth).tls(tls.tls(), tls.tls().caCert())
        .user(EtcdCluster.USER, EtcdCluster.writePasswordFile(tmp.resolve("password"))).run();

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(Jar.messages(run)).as(run.toString()).singleElement().satisfies(line -> assertThat(line)
        .contains("cluster main: TLS files (--cacert, --cert, --key) are given but " + auth.endpoints()
            + " is plain http, which would send everything unencrypted; use https://"));
    assertThat(volume().resolve("snapshot.db")).doesNotExist();
  }

  @Test
  void httpsToAPlainServerNamesTheMismatch() {
    String plain = auth.endpoints();
    ProcessResult run = SnapshotRun.into(volume()).cluster("main", plain.replace("http://", "https://"))
        .user(EtcdCluster.USER, EtcdCluster.writePasswordFile(tmp.resolve("password"))).run();

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(Jar.messages(run)).as(run.toString()).singleElement().satisfies(line -> assertThat(line)
        .contains(plain.replace("http://", "https://") + ": answered without TLS: use " + plain
            + " or enable TLS on etcd"));
    assertThat(Jar.hasStackTrace(run)).as(run.toString()).isFalse();
  }

  @Test
  void httpToATlsServerNamesTheMismatch() {
    String secure = tls.endpoints();
    ProcessResult run = SnapshotRun.into(volume()).cluster("main", secure.replace("https://", "http://")).run();

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(Jar.messages(run)).as(run.toString()).singleElement().satisfies(line -> assertThat(line)
        .contains(secure.replace("https://", "http://") + ": answered with TLS: use " + secure + " (with --cacert"));
    assertThat(Jar.hasStackTrace(run)).as(run.toString()).isFalse();
  }

  private Path volume() {
    return tmp.resolve("volume");
  }

  private void assertSavedAtTheClustersRevision(EtcdCluster cluster) {
    assertThat(new SnapshotTool(version).statusJson(volume().resolve("snapshot.db")).path("revision").asLong())
        .isEqualTo(cluster.etcdctl().revision());
  }
}
