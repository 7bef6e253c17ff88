package io.etcdsnapshotter.e2e.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No log line, in either format, holds a password or key material: one run saves a cluster behind etcd
 * authentication and one behind client certificates (the config file gives each its own), with the drill on, and
 * a second run with a wrong password fails; every line either run prints is searched for the secrets.
 */
class SnapshotLogSecretsTest {
  private static EtcdCluster tls;
  private static EtcdCluster auth;

  @TempDir Path tmp;

  @BeforeAll
  static void startClusters() {
    tls = EtcdCluster.start(EtcdVersion.V3_6, 1, Security.TLS);
    auth = EtcdCluster.start(EtcdVersion.V3_6, 1, Security.AUTH);
    tls.etcdctl().ok("put", "/registry/secrets/default/tls", "value");
    auth.etcdctl().ok("put", "/registry/secrets/default/auth", "value");
  }

  @AfterAll
  static void stopClusters() {
    try (EtcdCluster first = tls; EtcdCluster second = auth) {
      // closes both, even when one fails to close
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"text", "json"})
  void noLogLineHoldsThePasswordOrTheKey(String format) throws IOException {
    Path password = EtcdCluster.writePasswordFile(tmp.resolve("password"));
    Path wrong = Files.writeString(tmp.resolve("wrong"), "wrong-password-7f3a\n");

    ProcessResult saved = run(format, password);
    ProcessResult refused = run(format, wrong);

    assertThat(saved.exitCode()).as(saved.toString()).isZero();
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
    assertThat(saved.stderrLines()).as("the run logged").isNotEmpty();
    List<String> secrets = new ArrayList<>(List.of(EtcdCluster.PASSWORD, "wrong-password-7f3a"));
    secrets.addAll(keyMaterial(tls.tls().clientKey()));
    for (ProcessResult run : List.of(saved, refused)) {
      List<String> lines = (run.stdout() + run.stderr()).lines().toList();
      assertThat(lines).as(run.toString()).filteredOn(line -> secrets.stream().anyMatch(line::contains)).isEmpty();
    }
  }

  private ProcessResult run(String format, Path passwordFile) throws IOException {
    Path config = Files.writeString(tmp.resolve("config-" + passwordFile.getFileName() + ".yaml"), String.join("\n",
        "dir: " + tmp.resolve("volume"),
        "clusters:",
        "  secure:",
        "    endpoints: [" + tls.endpoints() + "]",
        "    cacert: " + tls.tls().caCert(),
        "    cert: " + tls.tls().clientCert(),
        "    key: " + tls.tls().clientKey(),
        "  auth:",
        "    endpoints: [" + auth.endpoints() + "]",
        "    user: " + EtcdCluster.USER,
        "    passwordFile: " + passwordFile,
        ""));
    return Jar.run("snapshot", "--config", config.toString(), "--drill", "--drill-dir", tmp.toString(),
        "--log-format", format);
  }

  /** The key's base64 lines, each long enough that no other text holds it by chance. */
  private static List<String> keyMaterial(Path pem) throws IOException {
    List<String> body = Files.readAllLines(pem).stream().filter(line -> !line.startsWith("-----"))
        .filter(line -> line.length() >= 16).toList();
    assertThat(body).as("key material of " + pem).isNotEmpty();
    return body;
  }
}
