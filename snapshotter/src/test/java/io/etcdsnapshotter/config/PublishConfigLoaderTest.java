package io.etcdsnapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishConfigLoaderTest {
  @TempDir Path tmp;

  @Test
  void withoutSectionsNothingIsPublished() throws IOException {
    assertThat(load("dir: /snap").publish()).isEqualTo(PublishConfig.NONE);
    assertThat(SnapshotConfigLoader.load(new SnapshotSettings(null, null, null, null, null, List.of(),
        TlsFiles.NONE, null, null)).publish().enabled()).isFalse();
  }

  @Test
  void emptySectionsTakeTheAddonsDefaults() throws IOException {
    PublishConfig publish = load("kubernetes: {}", "aws: {}").publish();
    assertThat(publish.kubernetes()).isEqualTo(new PublishConfig.Kubernetes("kube-system", "kube-etcd-snapshot-pvc"));
    assertThat(publish.aws()).isEqualTo(new PublishConfig.Aws(null, null, null, Map.of("etcd-snapshot", "true"), null,
        false, false));
  }

  @Test
  void readsEverySetting() throws IOException {
    PublishConfig publish = load("aws:", "  region: eu-west-1", "  endpoint: http://127.0.0.1:5000",
        "  volumeId: vol-0123456789abcdef0", "  tags: {backup: daily}", "  ebsSnapshots: {keep: 7, maxAge: 30d}",
        "  requireEncrypted: true", "  useInstanceMetadata: true").publish();
    assertThat(publish.kubernetes()).isNull();
    assertThat(publish.aws()).isEqualTo(new PublishConfig.Aws("eu-west-1", URI.create("http://127.0.0.1:5000"),
        "vol-0123456789abcdef0", Map.of("backup", "daily"), new PublishConfig.EbsSnapshots(7, Duration.ofDays(30)),
        true, true));
  }

  @Test
  void mistakesAreOneLineConfigErrors() throws IOException {
    assertThatThrownBy(() -> load("aws: {}")).isInstanceOf(ConfigException.class)
        .hasMessage(
            "aws needs the snapshot volume: set aws.volumeId, or a kubernetes section to find it through the PVC");
    assertThatThrownBy(() -> load("aws: {volumeId: vol-1}")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("aws.volumeId 'vol-1' is not an EBS volume id");
    assertThatThrownBy(() -> load("kubernetes: {}", "aws: {ebsSnapshots: {keep: -1}}"))
        .hasMessage("aws.ebsSnapshots.keep must be 0 (no limit) or more, not -1");
    assertThatThrownBy(() -> load("kubernetes: {}", "aws: {ebsSnapshots: {maxAge: 1w}}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("aws.ebsSnapshots.maxAge '1w' is not a duration");
    assertThatThrownBy(() -> load("kubernetes: {}", "aws: {tags: {'aws:x': y}}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("aws.tags entry 'aws:x'");
    assertThatThrownBy(() -> load("kubernetes: {}", "aws: {endpoint: 'not a url'}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("aws.endpoint 'not a url' is not a URL");
    assertThatThrownBy(() -> load("aws: {accessKey: AKIA}")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("accessKey");
  }

  private SnapshotConfig load(String... lines) throws IOException {
    Path yaml = Files.writeString(tmp.resolve("c.yaml"), String.join("\n", lines) + "\n");
    return SnapshotConfigLoader.load(new SnapshotSettings(yaml, null, null, null, null, List.of(), TlsFiles.NONE,
        null, null));
  }
}
