package io.etcdsnapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whatever a config file holds is what the operator meant, or one line saying what is wrong with it. */
class ConfigFileReaderTest {
  @TempDir Path tmp;

  @Test
  void aKeyWithoutAValueIsNamedNotANullPointer() {
    assertThatThrownBy(() -> load("dir: /snap", "clusters:"))
        .isInstanceOf(ConfigException.class)
        .hasMessageEndingWith("c.yaml: clusters (line 2) has no value: give it one, or remove the line");
    assertThatThrownBy(() -> load("clusters:", "  main:", "    endpoints: [http://127.0.0.1:2379, ~]"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("clusters.main.endpoints.1 (line 3) has no value");
  }

  @Test
  void anAliasIsRefusedRatherThanReadAsItsAnchorName() {
    assertThatThrownBy(() -> load("clusters:", "  main:", "    endpoints: [http://127.0.0.1:2379]",
        "    cacert: &ca /etc/etcd/ca.pem", "  events:", "    endpoints: [http://127.0.0.1:4002]", "    cacert: *ca"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("clusters.events.cacert (line 7) is an alias (*ca): aliases are not supported");
  }

  @Test
  void aKeyGivenTwiceIsRefused() {
    assertThatThrownBy(() -> load("keep: 1", "dir: /snap", "keep: 5"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("line 3: Duplicate field 'keep'");
  }

  @Test
  void aFractionIsNotACount() {
    assertThatThrownBy(() -> load("keep: 1.7"))
        .isInstanceOf(ConfigException.class).hasMessageEndingWith("keep (line 1): must be a whole number, not 1.7");
    assertThatThrownBy(() -> load("kubernetes: {}", "aws: {ebsSnapshots: {keep: 2.5}}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("aws.ebsSnapshots.keep (line 2): must be a whole");
  }

  @Test
  void anUnknownKeyIsNamedWithTheKeysThatBelongThere() {
    assertThatThrownBy(() -> load("clusters:", "  main:", "    endpoint: http://127.0.0.1:2379"))
        .isInstanceOf(ConfigException.class).hasMessageEndingWith("clusters.main.endpoint (line 3): unknown key; the"
            + " keys here are cacert, cert, endpoints, key, passwordFile, restoredBy, user");
  }

  @Test
  void aSecondDocumentIsRefusedRatherThanIgnored() {
    assertThatThrownBy(() -> load("keep: 1", "---", "keep: 2"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("line 3: a second YAML document");
  }

  @Test
  void aHugeFileIsRefusedBeforeParsing() throws IOException {
    StringBuilder clusters = new StringBuilder("clusters:\n");
    for (int i = 0; clusters.length() <= ConfigFileReader.MAX_BYTES; i++) {
      clusters.append("  c").append(i).append(":\n    endpoints: [http://127.0.0.1:").append(i % 60000 + 1)
          .append("]\n");
    }
    assertThatThrownBy(() -> load(clusters.toString()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("is larger than 1 MiB");
  }

  @Test
  void moreClustersThanARunCanSaveAreRefused() {
    StringBuilder clusters = new StringBuilder("clusters:\n");
    for (int i = 0; i <= SnapshotConfigLoader.MAX_CLUSTERS; i++) {
      clusters.append("  c").append(i).append(": {endpoints: [http://127.0.0.1:").append(i + 1).append("]}\n");
    }
    assertThatThrownBy(() -> load(clusters.toString()))
        .isInstanceOf(ConfigException.class).hasMessage("65 clusters configured; at most 64 are supported (each is"
            + " saved one after the other within the run)");
  }

  @Test
  void quotedEmptyValuesAndEmptyFilesStillRead() throws IOException {
    assertThat(load("clusterName: prod", "kubernetes: {}", "aws: {volumeId: vol-0123456789abcdef0,"
        + " tags: {backup: ''}}").publish().aws().tags()).containsEntry("backup", "");
    assertThat(load("").dir()).isEqualTo(SnapshotConfigLoader.DEFAULT_DIR);
  }

  private SnapshotConfig load(String... lines) throws IOException {
    Path yaml = Files.writeString(tmp.resolve("c.yaml"), String.join("\n", lines) + "\n");
    return SnapshotConfigLoader.load(new SnapshotSettings(yaml, null, null, null, null, List.of(), TlsFiles.NONE,
        null, null, null, null, null, null, null, null, null));
  }
}
