package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.kube.KubeApiServer;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The etcd-snapshot kube-addon as Salt renders it, sent to a real kube-apiserver: it validates what fabric8's mock
 * server takes on trust (the mock stores a CronJob with minute 61 without a word).
 */
class AddonOnApiServerTest {
  private static final String SLS = "kubernetes.etcd.snapshot-addon";
  private static final String ADDON_DIR = "etc/kubernetes/addons/etcd-snapshot";
  private static final String PILLAR = """
      enable_etcd_snapshot: true
      etcd_snapshot_zone: eu-west-1b
      enable_default_storage_class: true
      cluster_name: prod-eu-west-1
      etcd_snapshot:
        record_on_pvc: true
        aws:
          enabled: true
          region: eu-west-1
      """;

  private static KubeApiServer apiServer;

  @TempDir Path root;

  @BeforeAll
  static void startApiServer() {
    SaltCall.saltCallPath();
    apiServer = KubeApiServer.start();
  }

  @AfterAll
  static void stopApiServer() {
    if (apiServer != null) {
      apiServer.close();
    }
  }

  @Test
  void renderedAddonPassesTheServersStrictValidation() throws Exception {
    Path addon = render();

    ProcessResult apply = apiServer.kubectl("apply", "--dry-run=server", "--validate=strict", "-f", addon.toString());

    assertThat(apply.exitCode()).as("%s", apply).isZero();
    assertThat(apply.stdout()).contains("cronjob.batch/etcd-snapshot created (server dry run)",
        "persistentvolumeclaim/kube-etcd-snapshot-pvc created (server dry run)");
  }

  @Test
  void cronJobWithMinute61IsRejected() throws Exception {
    Path cronJob = render().resolve("cronjob.yaml");
    String rendered = Files.readString(cronJob);
    assertThat(rendered).contains("schedule: \"02 6 * * *\"");
    Files.writeString(cronJob, rendered.replace("schedule: \"02 6 * * *\"", "schedule: \"61 * * * *\""));

    ProcessResult apply = apiServer.kubectl("apply", "--dry-run=server", "-f", cronJob.toString());

    assertThat(apply.exitCode()).as("%s", apply).isNotZero();
    assertThat(apply.stderr()).contains("spec.schedule: Invalid value: \"61 * * * *\"");
  }

  private Path render() throws Exception {
    StateRun run = new SaltCall(root, "master-1").apply(SLS, PILLAR);
    assertThat(run.succeeded()).as("%s", run).isTrue();
    return root.resolve(ADDON_DIR);
  }
}
