package io.etcdsnapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotConfigLoaderTest {
  @TempDir Path tmp;

  @Test
  void defaultsAreMainAndEventsOnTheSaltbasePorts() {
    SnapshotConfig config = SnapshotConfigLoader.load(flags(null, List.of()));
    assertThat(config.dir()).isEqualTo(Path.of("/var/etcd-snapshot"));
    assertThat(config.clusters()).extracting(ClusterConfig::name, ClusterConfig::fileName).containsExactly(
        org.assertj.core.groups.Tuple.tuple("main", "snapshot.db"),
        org.assertj.core.groups.Tuple.tuple("events", "snapshot-events.db"));
    assertThat(config.clusters().get(1).endpoints()).containsExactly(URI.create("http://127.0.0.1:4002"));
    assertThat(config.dialTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void clusterFlagsReplaceTheDefaultsAndKeepTheirOrder() {
    SnapshotConfig config = SnapshotConfigLoader.load(
        flags(null, List.of("cache=http://127.0.0.1:1,https://10.0.0.2:2379")));
    assertThat(config.clusters()).singleElement().satisfies(c -> {
      assertThat(c.fileName()).isEqualTo("snapshot-cache.db");
      assertThat(c.endpoints()).containsExactly(URI.create("http://127.0.0.1:1"), URI.create("https://10.0.0.2:2379"));
    });
  }

  @Test
  void fileGivesPerClusterSettingsAndFlagsOverrideIt() throws IOException {
    Path password = Files.writeString(tmp.resolve("pw"), "secret\n");
    Path yaml = Files.writeString(tmp.resolve("c.yaml"), String.join("\n",
        "dir: /snap", "keep: 3", "dialTimeout: 2s", "clusters:",
        "  main:", "    endpoints: [http://127.0.0.1:2379, http://127.0.0.2:2379]",
        "    user: root", "    passwordFile: " + password, ""));
    SnapshotConfig config = SnapshotConfigLoader.load(new SnapshotSettings(
        yaml, tmp, null, "1s", null, List.of(), TlsFiles.NONE, null, null, null, null, null, null, null, null, null));
    assertThat(config.dir()).isEqualTo(tmp);
    assertThat(config.keep()).isEqualTo(3);
    assertThat(config.dialTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.clusters()).singleElement().satisfies(c -> {
      assertThat(c.user()).isEqualTo("root");
      assertThat(c.endpoints()).hasSize(2);
    });
  }

  @Test
  void restoredByNeedsTheTokenAndTheInitialCluster() throws IOException {
    Path whole = Files.writeString(tmp.resolve("whole.yaml"), String.join("\n", "clusters:", "  main:",
        "    endpoints: [http://127.0.0.1:2379]", "    restoredBy: {token: etcd-cluster, initialCluster: "
            + "m1=https://10.0.0.1:2380}", ""));
    assertThat(SnapshotConfigLoader.load(flags(whole, List.of())).clusters().get(0).restoredBy())
        .isEqualTo(new ClusterConfig.RestoredBy("etcd-cluster", "m1=https://10.0.0.1:2380"));
    Path half = Files.writeString(tmp.resolve("half.yaml"), String.join("\n", "clusters:", "  main:",
        "    endpoints: [http://127.0.0.1:2379]", "    restoredBy: {token: etcd-cluster}", ""));
    assertThatThrownBy(() -> SnapshotConfigLoader.load(flags(half, List.of()))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("clusters.main.restoredBy needs token").hasMessageContaining("initialCluster");
  }

  @Test
  void aClusterChangeIsAllowedOnlyWhenTheFileOrTheFlagSaysSo() throws IOException {
    Path yaml = Files.writeString(tmp.resolve("c.yaml"), "allowClusterChange: true\n");
    assertThat(SnapshotConfigLoader.load(flags(null, List.of())).allowClusterChange()).isFalse();
    assertThat(SnapshotConfigLoader.load(flags(yaml, List.of())).allowClusterChange()).isTrue();
    assertThat(SnapshotConfigLoader.load(new SnapshotSettings(null, null, null, null, null, List.of(),
        TlsFiles.NONE, null, null, null, true, null, null, null, null, null)).allowClusterChange()).isTrue();
  }

  @Test
  void badInputIsAOneLineConfigError() throws IOException {
    Path yaml = Files.writeString(tmp.resolve("bad.yaml"), "clusters:\n  main:\n    endpoint: http://x:1\n");
    assertThatThrownBy(() -> SnapshotConfigLoader.load(flags(null, List.of("main"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("NAME=URL");
    assertThatThrownBy(() -> SnapshotConfigLoader.load(flags(null, List.of("main=127.0.0.1:2379"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http(s)://HOST:PORT");
    assertThatThrownBy(() -> SnapshotConfigLoader.load(flags(null, List.of("a=http://h:1", "a=http://h:2"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("given twice");
    assertThatThrownBy(() -> SnapshotConfigLoader.load(flags(yaml, List.of())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bad.yaml is not valid");
    assertThatThrownBy(() -> SnapshotConfigLoader.load(flags(tmp.resolve("missing.yaml"), List.of())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist");
    assertThatThrownBy(() -> SnapshotConfigLoader.load(new SnapshotSettings(null, null, null, "5 s", null,
        List.of(), TlsFiles.NONE, null, null, null, null, null, null, null, null, null)))
        .hasMessageContaining("not a duration");
    assertThatThrownBy(() -> SnapshotConfigLoader.load(new SnapshotSettings(null, null, null, null, null,
        List.of(), new TlsFiles(null, tmp.resolve("nope.pem"), null), null, null, null, null, null, null, null, null, null)))
        .hasMessageContaining("--cert").hasMessageContaining("not a readable file");
    assertThatThrownBy(() -> SnapshotConfigLoader.load(new SnapshotSettings(null, null, null, null, null,
        List.of(), TlsFiles.NONE, "root", null, null, null, null, null, null, null, null)))
        .hasMessageContaining("--user and --password-file go together");
  }

  @Test
  void aDurationBeyondWhatItsUseTakesIsAUsageErrorNamingTheFlag() throws IOException {
    assertThatThrownBy(() -> SnapshotConfigLoader.load(new SnapshotSettings(null, null, null, "25d", null,
        List.of(), TlsFiles.NONE, null, null, null, null, null, null, null, null, null)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--dial-timeout '25d' is out of range: give a duration from 1ms to 1h");
    assertThatThrownBy(() -> SnapshotConfigLoader.load(new SnapshotSettings(null, null, null, null,
        "99999999999999999999s", List.of(), TlsFiles.NONE, null, null, null, null, null, null, null, null, null)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--command-timeout '99999999999999999999s' is out of range: give a duration from 1ms to 1d");
    assertThatThrownBy(() -> SnapshotConfigLoader.load(new SnapshotSettings(null, null, null, "0s", null,
        List.of(), TlsFiles.NONE, null, null, null, null, null, null, null, null, null)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("from 1ms to 1h");
    Path yaml = Files.writeString(tmp.resolve("t.yaml"), "dialTimeout: 9223372036854775807d\n");
    assertThatThrownBy(() -> SnapshotConfigLoader.load(flags(yaml, List.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("dialTimeout in the config file '9223372036854775807d' is out of range");
    assertThat(SnapshotConfigLoader.load(new SnapshotSettings(null, null, null, "1h", "1d", List.of(),
        TlsFiles.NONE, null, null, null, null, null, null, null, null, null)).commandTimeout()).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void tlsFilesWithAPlainHttpEndpointAreRefusedBeforeAnythingConnects() throws IOException {
    Path ca = Files.writeString(tmp.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    assertThatThrownBy(() -> SnapshotConfigLoader.load(new SnapshotSettings(null, null, null, null, null,
        List.of("main=https://10.0.0.1:2379,http://10.0.0.2:2379"), new TlsFiles(ca, null, null),
        null, null, null, null, null, null, null, null, null)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("cluster main: TLS files (--cacert, --cert, --key) are given but http://10.0.0.2:2379 is plain"
            + " http, which would send everything unencrypted; use https://10.0.0.2:2379, or leave the TLS files out");
  }

  @Test
  void aPasswordFileOrPemFileLargerThanAnySuchFileIsNamedNotReadWhole() throws IOException {
    Path password = Files.write(tmp.resolve("snapshot.db"), new byte[5000]);
    assertThatThrownBy(() -> SnapshotConfigLoader.load(new SnapshotSettings(null, null, null, null, null,
        List.of(), TlsFiles.NONE, "root", password, null, null, null, null, null, null, null)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("cluster main: --password-file " + password + " is 5000 bytes, more than such a file ever holds"
            + " (4096); is it the right file?");
    Path huge = tmp.resolve("huge.pem");
    try (java.io.RandomAccessFile sparse = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
      sparse.setLength(1L << 40);
    }
    assertThatThrownBy(() -> SnapshotConfigLoader.load(new SnapshotSettings(null, null, null, null, null,
        List.of("main=https://127.0.0.1:2379"), new TlsFiles(huge, null, null),
        null, null, null, null, null, null, null, null, null)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("--cacert " + huge + " is 1099511627776 bytes");
  }

  private static SnapshotSettings flags(Path config, List<String> clusters) {
    return new SnapshotSettings(config, null, null, null, null, clusters, TlsFiles.NONE,
        null, null, null, null, null, null, null, null, null);
  }
}
