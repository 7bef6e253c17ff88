package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.Repository;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** pillar.example is the operator's reference: it must name every key the formula reads, with its default. */
class PillarExampleTest {
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  @Test
  void documentsEveryKeyOfDefaultsYamlWithItsDefault() throws IOException {
    Path salt = Repository.root().resolve("salt");
    Map<?, ?> defaults = YAML.unmarshal(Files.readString(salt.resolve("kubernetes/defaults.yaml")), Map.class);
    Map<?, ?> example = YAML.unmarshal(Files.readString(salt.resolve("pillar.example")), Map.class);

    assertThat(example).isEqualTo(defaults);
    assertThat(new TreeSet<>(defaults.keySet().stream().map(String::valueOf).toList())).contains(
        "enable_etcd_snapshot", "etcd_snapshot_zone", "etcd_snapshot_hostname", "etcd_snapshot_schedule",
        "etcd_snapshot_disk_size", "etcd_snapshot_storage_classname", "enable_default_storage_class");
  }
}
