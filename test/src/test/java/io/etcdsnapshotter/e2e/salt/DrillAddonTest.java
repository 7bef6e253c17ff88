package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The restore drill and the log format in the addon Salt renders: the drill is on by default in an emptyDir the
 * jar keeps under, and JSON logs are one pillar key away. Rendered manifests are read as typed objects; no API server.
 */
class DrillAddonTest {
  private static final String SLS = "kubernetes.etcd.snapshot-addon";
  private static final String ADDON_DIR = "etc/kubernetes/addons/etcd-snapshot";
  private static final KubernetesSerialization KUBE = new KubernetesSerialization();
  private static final String DRILL_DIR = "/var/etcd-snapshot-drill";

  @TempDir Path root;

  @BeforeAll
  static void saltInstalled() {
    SaltCall.saltCallPath();
  }

  @Test
  void theDrillIsOnByDefaultInAnEmptyDirLargeEnoughForEtcdsDefaultQuota() throws Exception {
    render("");

    PodSpec pod = pod();
    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("drill")).singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("3Gi")));
    Container container = pod.getContainers().get(0);
    assertThat(container.getVolumeMounts()).extracting(VolumeMount::getName, VolumeMount::getMountPath)
        .contains(tuple("drill", DRILL_DIR));
    assertThat(container.getCommand()).doesNotContain("--log-format");
    assertThat(config()).containsEntry("drill", Map.of("enabled", true, "dir", DRILL_DIR, "sizeLimit", "3Gi"));
  }

  @Test
  void pillarSizesTheDrillTurnsItOffAndAsksForJsonLogs() throws Exception {
    render("""
        etcd_snapshot:
          drill: {scratch_size: 10Gi}
        """);
    assertThat(volume(pod(), "drill").getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("10Gi"));
    assertThat(config()).containsEntry("drill", Map.of("enabled", true, "dir", DRILL_DIR, "sizeLimit", "10Gi"));

    render("""
        etcd_snapshot:
          drill: {enabled: false}
          log_format: json
        """);
    PodSpec pod = pod();
    assertThat(pod.getVolumes()).extracting(Volume::getName).doesNotContain("drill");
    assertThat(pod.getContainers().get(0).getVolumeMounts()).extracting(VolumeMount::getName)
        .doesNotContain("drill");
    assertThat(pod.getContainers().get(0).getCommand()).endsWith("snapshot", "--config",
        "/etc/etcd-snapshot/config.yaml", "--log-format", "json");
    assertThat(config()).doesNotContainKey("drill");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "drill: {scratch_size: 3GB}|etcd_snapshot:drill:scratch_size \"3GB\" is not a size",
      "log_format: yaml|etcd_snapshot:log_format \"yaml\" is not a log format: give text or json"})
  void aPillarMistakeFailsTheStateNamingTheKey(String entry, String message) throws Exception {
    StateRun run = new SaltCall(root, "master-1").apply(SLS, pillar("etcd_snapshot:\n  " + entry + "\n"));

    assertThat(run.failures()).as("%s", run).singleElement().asString().contains(message);
    assertThat(root.resolve(ADDON_DIR)).doesNotExist();
  }

  private void render(String more) throws IOException, InterruptedException {
    StateRun run = new SaltCall(root, "master-1").apply(SLS, pillar(more));
    assertThat(run.succeeded()).as("%s", run).isTrue();
  }

  /** The addon turned on and pinned, as every pillar of an operator has it, plus {@code more}. */
  private static String pillar(String more) {
    return """
        enable_etcd_snapshot: true
        etcd_snapshot_hostname: master-1
        """ + (more.isEmpty() ? "" : more.replace("etcd_snapshot:\n", "etcd_snapshot:\n  image: r.example.com/s:1\n"));
  }

  private PodSpec pod() throws IOException {
    try (InputStream in = Files.newInputStream(root.resolve(ADDON_DIR).resolve("cronjob.yaml"))) {
      return KUBE.unmarshal(in, CronJob.class).getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> config() throws IOException {
    try (InputStream in = Files.newInputStream(root.resolve(ADDON_DIR).resolve("configmap.yaml"))) {
      String yaml = KUBE.unmarshal(in, ConfigMap.class).getData().get("config.yaml");
      return KUBE.unmarshal(yaml, Map.class);
    }
  }

  private static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
  }
}
