package io.etcdsnapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsConfigLoaderTest {
  @TempDir Path tmp;

  @Test
  void noMetricsUnlessAsked() throws IOException {
    assertThat(load(null, null, "dir: /snap").metrics()).isEqualTo(MetricsConfig.NONE);
  }

  @Test
  void flagsOverTheConfigFile() throws IOException {
    String[] yaml = {"clusterName: prod-eu", "metrics:", "  pushgateway: http://pushgateway.monitoring:9091",
        "  textfile: /var/lib/node_exporter/textfile/etcd.prom"};
    SnapshotConfig fromFile = load(null, null, yaml);
    assertThat(fromFile.metrics()).isEqualTo(new MetricsConfig(URI.create("http://pushgateway.monitoring:9091"),
        Path.of("/var/lib/node_exporter/textfile/etcd.prom")));
    assertThat(fromFile.clusterName()).isEqualTo("prod-eu");
    assertThat(load("https://gw:9091/prefix", Path.of("/t/x.prom"), yaml).metrics())
        .isEqualTo(new MetricsConfig(URI.create("https://gw:9091/prefix"), Path.of("/t/x.prom")));
  }

  @Test
  void mistakesAreUsageErrorsNamingTheSetting() {
    assertThatThrownBy(() -> load("pushgateway:9091", null)).isInstanceOf(ConfigException.class)
        .hasMessage("--pushgateway 'pushgateway:9091' is not a URL like http://pushgateway.monitoring:9091");
    assertThatThrownBy(() -> load(null, null, "metrics: {pushgateway: 'ftp://gw:9091'}"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("metrics.pushgateway 'ftp://gw:9091' must be an"
            + " http:// or https:// URL");
    assertThatThrownBy(() -> load(null, Path.of("/var/lib/node_exporter/etcd.txt")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("--metrics-textfile"
            + " '/var/lib/node_exporter/etcd.txt' must name a file ending in .prom");
    assertThatThrownBy(() -> load(null, null, "metrics: {textfile: x.prom, interval: 5m}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("interval");
    assertThatThrownBy(() -> load(null, null, "clusterName: 'a b'")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("is not a cluster name");
  }

  private SnapshotConfig load(String pushgateway, Path textfile, String... lines) throws IOException {
    Path yaml = Files.writeString(tmp.resolve("c.yaml"), String.join("\n", lines) + "\n");
    return SnapshotConfigLoader.load(new SnapshotSettings(yaml, null, null, null, null, List.of(), TlsFiles.NONE,
        null, null, null, null, null, null, pushgateway, textfile, null));
  }
}
