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
        TlsFiles.NONE, null, null, null, null, null, null, null, null, null)).publish().enabled()).isFalse();
  }

  @Test
  void emptySectionsTakeTheAddonsDefaults() throws IOException {
    PublishConfig publish = load("clusterName: prod", "kubernetes: {}", "aws: {}").publish();
    assertThat(publish.kubernetes()).isEqualTo(new PublishConfig.Kubernetes("kube-system", "kube-etcd-snapshot-pvc"));
    assertThat(publish.aws()).isEqualTo(new PublishConfig.Aws("prod", null, null, null,
        Map.of("etcd-snapshot", "true"), null, false, false));
  }

  @Test
  void readsEverySetting() throws IOException {
    PublishConfig publish = load("clusterName: prod.example.com", "aws:", "  region: eu-west-1",
        "  endpoint: http://127.0.0.1:5000", "  volumeId: vol-0123456789abcdef0", "  tags: {backup: daily}",
        "  ebsSnapshots: {keep: 7, maxAge: 30d, copies: [{region: us-west-2, kmsKeyId: alias/dr, keep: 3},"
            + " {region: eu-central-1, maxAge: 90d}]}",
        "  requireEncrypted: true", "  useInstanceMetadata: true").publish();
    assertThat(publish.kubernetes()).isNull();
    assertThat(publish.aws()).isEqualTo(new PublishConfig.Aws("prod.example.com", "eu-west-1",
        URI.create("http://127.0.0.1:5000"), "vol-0123456789abcdef0", Map.of("backup", "daily"),
        new PublishConfig.EbsSnapshots(7, Duration.ofDays(30), List.of(
            new PublishConfig.EbsCopies("us-west-2", "alias/dr", 3, Duration.ofDays(30)),
            new PublishConfig.EbsCopies("eu-central-1", null, 7, Duration.ofDays(90)))),
        true, true));
  }

  @Test
  void theFlagsClusterNameWinsOverTheFiles() throws IOException {
    Path yaml = Files.writeString(tmp.resolve("c.yaml"), "clusterName: prod\nkubernetes: {}\naws: {}\n");
    assertThat(SnapshotConfigLoader.load(new SnapshotSettings(yaml, null, null, null, null, List.of(),
        TlsFiles.NONE, null, null, "staging", null, null, null, null, null, null)).publish().aws().clusterName())
        .isEqualTo("staging");
  }

  @Test
  void awsNeedsAClusterNameAndKeepsTheToolsOwnTags() {
    assertThatThrownBy(() -> load("kubernetes: {}", "aws: {}")).isInstanceOf(ConfigException.class)
        .hasMessage("clusterName (or --cluster-name), which aws needs, is not set: give the name of this Kubernetes"
            + " cluster, which every EBS snapshot is tagged and found by (the same name on the restore side, e.g."
            + " pillar cluster_name)");
    assertThatThrownBy(() -> load("clusterName: 'prod/*'", "kubernetes: {}", "aws: {}"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith(
            "clusterName (or --cluster-name), which aws needs, 'prod/*' is not a cluster name");
    assertThatThrownBy(() -> load("clusterName: prod", "kubernetes: {}",
        "aws: {tags: {'etcd-snapshotter/brought-back-to': i-0123}}")).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("aws.tags entry 'etcd-snapshotter/brought-back-to': keys under etcd-snapshotter/ are"
            + " the tool's own");
  }

  @Test
  void mistakesAreOneLineConfigErrors() throws IOException {
    assertThatThrownBy(() -> load("clusterName: prod", "aws: {}")).isInstanceOf(ConfigException.class)
        .hasMessage(
            "aws needs the snapshot volume: set aws.volumeId, or a kubernetes section to find it through the PVC");
    assertThatThrownBy(() -> load("clusterName: prod", "aws: {volumeId: vol-1}")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("aws.volumeId 'vol-1' is not an EBS volume id");
    assertThatThrownBy(() -> load("clusterName: prod", "kubernetes: {}", "aws: {ebsSnapshots: {keep: -1}}"))
        .hasMessage("aws.ebsSnapshots.keep must be 0 (no limit) or more, not -1");
    assertThatThrownBy(() -> load("clusterName: prod", "kubernetes: {}", "aws: {ebsSnapshots: {maxAge: 1w}}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("aws.ebsSnapshots.maxAge '1w' is not a duration");
    assertThatThrownBy(() -> load("clusterName: prod", "kubernetes: {}",
        "aws: {ebsSnapshots: {copies: [{kmsKeyId: alias/dr}]}}")).isInstanceOf(ConfigException.class)
        .hasMessage("aws.ebsSnapshots.copies[0] needs the region to copy each EBS snapshot to, e.g. region: us-west-2");
    assertThatThrownBy(() -> load("clusterName: prod", "kubernetes: {}",
        "aws: {ebsSnapshots: {copies: [{region: us-west-2}, {region: us-west-2, keep: -2}]}}"))
        .hasMessage("aws.ebsSnapshots.copies[1]: region us-west-2 is listed twice; list each region once");
    assertThatThrownBy(() -> load("clusterName: prod", "kubernetes: {}",
        "aws: {ebsSnapshots: {copies: [{region: us-west-2, keep: -2}]}}"))
        .hasMessage("aws.ebsSnapshots.copies[0].keep must be 0 (no limit) or more, not -2");
    assertThatThrownBy(() -> load("clusterName: prod", "kubernetes: {}", "aws: {tags: {'aws:x': y}}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("aws.tags entry 'aws:x'");
    assertThatThrownBy(() -> load("clusterName: prod", "kubernetes: {}", "aws: {endpoint: 'not a url'}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("aws.endpoint 'not a url' is not a URL");
    assertThatThrownBy(() -> load("aws: {accessKey: AKIA}")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("accessKey");
  }

  private SnapshotConfig load(String... lines) throws IOException {
    Path yaml = Files.writeString(tmp.resolve("c.yaml"), String.join("\n", lines) + "\n");
    return SnapshotConfigLoader.load(new SnapshotSettings(yaml, null, null, null, null, List.of(), TlsFiles.NONE,
        null, null, null, null, null, null, null, null, null));
  }
}
