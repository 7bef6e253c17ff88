package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.fs.TempDirectory;
import io.etcdsnapshotter.e2e.kube.AddonManager;
import io.etcdsnapshotter.e2e.kube.KubeApiServer;
import io.etcdsnapshotter.e2e.process.Polling;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The addon as a master runs it, one life in order: Salt renders it into the addon directory, Kubernetes' own addon
 * manager applies it to a real kube-apiserver, kube-controller-manager turns the CronJob into Jobs, the pillar
 * changes, continuous mode replaces the CronJob with the journal's Deployment and back, and the addon is turned off.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AddonManagerTest {
  private static final String SLS = "kubernetes.etcd.snapshot-addon";
  private static final String NS = "kube-system";
  private static final String PVC = "kube-etcd-snapshot-pvc";
  private static final Duration CRON_MINUTE = Duration.ofSeconds(90);
  private static final Duration CONTROLLER = Duration.ofSeconds(60);
  private static final String PILLAR = """
      enable_etcd_snapshot: true
      etcd_snapshot_zone: eu-west-1b
      etcd_snapshot_schedule: '%s'
      etcd_snapshot_disk_size: %s
      cluster_name: prod-eu-west-1
      etcd_snapshot:
        image: registry.example.com/etcd-snapshotter:1.2.3
        record_on_pvc: true
        aws:
          enabled: %s
          region: eu-west-1
        continuous:
          enabled: %s
      """;

  private static TempDirectory root;
  private static SaltCall salt;
  private static KubeApiServer apiServer;
  private static KubernetesClient client;
  private static AddonManager manager;

  @BeforeAll
  static void startMaster() throws Exception {
    SaltCall.saltCallPath();
    root = TempDirectory.create("e2e-addon-manager-");
    salt = new SaltCall(root.path(), "master-1");
    apiServer = KubeApiServer.startWithControllerManager();
    client = apiServer.client();
    // A master always carries other addons. With none left, `kubectl apply` finds no objects and prunes nothing.
    Path other = Files.createDirectories(addonPath().resolve("other"));
    Files.writeString(other.resolve("configmap.yaml"), """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: other-addon
          namespace: kube-system
          labels: {addonmanager.kubernetes.io/mode: Reconcile}
        """);
    render("* * * * *", "1Gi", true, false);
    manager = AddonManager.start(apiServer, addonPath(), root.resolve("kube-addons"));
  }

  @AfterAll
  static void stopMaster() {
    for (AutoCloseable resource : new AutoCloseable[] {manager, client, apiServer, root}) {
      try {
        if (resource != null) {
          resource.close();
        }
      } catch (Exception e) {
        // the others still need closing
      }
    }
  }

  @Test
  @Order(1)
  void theAddonManagerCreatesEveryObjectWithoutAWarning() {
    assertThat(client.batch().v1().cronjobs().inNamespace(NS).withName("etcd-snapshot").get()).isNotNull();
    assertThat(client.configMaps().inNamespace(NS).withName("etcd-snapshot-config").get()).isNotNull();
    assertThat(client.serviceAccounts().inNamespace(NS).withName("etcd-snapshot").get()).isNotNull();
    assertThat(client.rbac().roleBindings().inNamespace(NS).withName("etcd-snapshot").get()).isNotNull();
    assertThat(client.rbac().clusterRoleBindings().withName("etcd-snapshot").get()).isNotNull();
    assertThat(pvc().getMetadata().getAnnotations())
        .as("created, never applied: no last-applied configuration for a later prune to act on")
        .doesNotContainKey("kubectl.kubernetes.io/last-applied-configuration");
    assertThat(apiServer.serviceAccountCan(NS, "etcd-snapshot", "get", "persistentvolumes")).isTrue();
    assertThat(warningsAboutTheAddon()).isEmpty();
  }

  @Test
  @Order(2)
  void theControllerRunsTheCronJobAsJobsOfTheRenderedPodSpec() throws Exception {
    apiServer.kubectl("create", "job", "--namespace", NS, "--from=cronjob/etcd-snapshot", "etcd-snapshot-now")
        .orThrow();
    Polling.await("a Job the CronJob controller made of etcd-snapshot (schedule: every minute)", CRON_MINUTE,
        () -> !scheduledJobs().isEmpty(), () -> apiServer.kubectl("get", "cronjobs,jobs", "-A", "-o", "wide")
            .toString());

    PodSpec rendered = ((CronJob) rendered("cronjob.yaml")).getSpec().getJobTemplate().getSpec().getTemplate()
        .getSpec();
    PodSpec stored = client.batch().v1().cronjobs().inNamespace(NS).withName("etcd-snapshot").get().getSpec()
        .getJobTemplate().getSpec().getTemplate().getSpec();
    Job manual = client.batch().v1().jobs().inNamespace(NS).withName("etcd-snapshot-now").get();
    for (Job job : List.of(manual, scheduledJobs().get(0))) {
      PodSpec pod = job.getSpec().getTemplate().getSpec();
      assertThat(pod).isEqualTo(stored);
      assertThat(pod.getContainers()).singleElement().satisfies(container -> {
        assertThat(container.getImage()).isEqualTo("registry.example.com/etcd-snapshotter:1.2.3");
        assertThat(container.getCommand()).isEqualTo(rendered.getContainers().get(0).getCommand());
        assertThat(container.getVolumeMounts()).isEqualTo(rendered.getContainers().get(0).getVolumeMounts());
        assertThat(container.getSecurityContext()).isEqualTo(rendered.getContainers().get(0).getSecurityContext());
      });
      assertThat(pod.getVolumes()).extracting(Volume::getName)
          .isEqualTo(rendered.getVolumes().stream().map(Volume::getName).toList());
      assertThat(pod.getAffinity()).isEqualTo(rendered.getAffinity());
      assertThat(pod.getNodeSelector()).isEqualTo(rendered.getNodeSelector());
      assertThat(pod.getHostNetwork()).isTrue();
      assertThat(pod.getServiceAccountName()).isEqualTo("etcd-snapshot");
      assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(2 * 1800L + 300);
    }
  }

  @Test
  @Order(3)
  void aPillarChangeReachesTheReconciledObjectsButNeverTheClaim() throws Exception {
    apiServer.kubectl("annotate", "pvc", PVC, "--namespace", NS, "etcd-snapshotter.io/last-result=ok").orThrow();

    render("*/5 * * * *", "5Gi", false, false);
    manager.awaitPass();

    assertThat(client.batch().v1().cronjobs().inNamespace(NS).withName("etcd-snapshot").get().getSpec()
        .getSchedule()).isEqualTo("*/5 * * * *");
    assertThat(pvc().getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("1Gi");
    assertThat(pvc().getMetadata().getAnnotations()).containsEntry("etcd-snapshotter.io/last-result", "ok");
    assertThat(apiServer.serviceAccountCan(NS, "etcd-snapshot", "get", "persistentvolumes"))
        .as("aws turned off: the addon manager never prunes a ClusterRole, so its rules must go by the apply")
        .isFalse();
    assertThat(apiServer.serviceAccountCan(NS, "etcd-snapshot", "patch", "persistentvolumeclaims/" + PVC)).isTrue();
    assertThat(warningsAboutTheAddon()).isEmpty();
  }

  @Test
  @Order(4)
  void continuousModeReplacesTheCronJobWithTheJournalsDeploymentOnTheSameClaim() throws Exception {
    render("*/5 * * * *", "5Gi", false, true);
    manager.awaitPass();

    assertThat(client.batch().v1().cronjobs().inNamespace(NS).withName("etcd-snapshot").get())
        .as("two pods on one ReadWriteOnce volume cannot work: the journal takes the full snapshots").isNull();
    assertThat(manager.log()).contains("cronjob.batch/etcd-snapshot pruned");
    Deployment deployment = client.apps().deployments().inNamespace(NS).withName("etcd-snapshot").get();
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    Polling.await("the ReplicaSet the deployment controller made of etcd-snapshot", CONTROLLER,
        () -> !replicaSets().isEmpty(), () -> apiServer.kubectl("get", "deployments,replicasets,pods", "-A").toString());

    PodSpec rendered = ((Deployment) rendered("deployment.yaml")).getSpec().getTemplate().getSpec();
    ReplicaSet replicaSet = replicaSets().get(0);
    assertThat(replicaSet.getSpec().getReplicas()).isOne();
    PodSpec pod = replicaSet.getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers()).singleElement().satisfies(container -> {
      assertThat(container.getCommand()).isEqualTo(rendered.getContainers().get(0).getCommand())
          .containsSubsequence("journal", "--config", "/etc/etcd-snapshot/config.yaml", "--fsync-interval", "1s",
              "--snapshot-interval", "6h");
      assertThat(container.getSecurityContext()).isEqualTo(rendered.getContainers().get(0).getSecurityContext());
    });
    assertThat(pod.getVolumes()).filteredOn(volume -> volume.getPersistentVolumeClaim() != null)
        .singleElement().extracting(volume -> volume.getPersistentVolumeClaim().getClaimName()).isEqualTo(PVC);
    assertThat(pod.getAffinity()).isEqualTo(rendered.getAffinity());
    assertThat(pod.getServiceAccountName()).isEqualTo("etcd-snapshot");
    assertThat(pvc().getMetadata().getAnnotations()).containsEntry("etcd-snapshotter.io/last-result", "ok");
    assertThat(apiServer.serviceAccountCan(NS, "etcd-snapshot", "patch", "persistentvolumeclaims/" + PVC)).isTrue();
    assertThat(warningsAboutTheAddon()).isEmpty();
  }

  @Test
  @Order(5)
  void switchingContinuousModeOffBringsTheCronJobBackAndPrunesTheDeployment() throws Exception {
    render("*/5 * * * *", "5Gi", false, false);
    manager.awaitPass();

    assertThat(client.apps().deployments().inNamespace(NS).withName("etcd-snapshot").get()).isNull();
    assertThat(manager.log()).contains("deployment.apps/etcd-snapshot pruned");
    assertThat(client.batch().v1().cronjobs().inNamespace(NS).withName("etcd-snapshot").get().getSpec()
        .getSchedule()).isEqualTo("*/5 * * * *");
    assertThat(warningsAboutTheAddon()).isEmpty();
  }

  @Test
  @Order(6)
  void turningTheAddonOffPrunesTheCronJobAndKeepsTheClaimWithItsVolume() throws Exception {
    StateRun off = salt.apply(SLS, "enable_etcd_snapshot: false\n");
    assertThat(off.succeeded()).as("%s", off).isTrue();
    manager.awaitPass();

    assertThat(client.batch().v1().cronjobs().inNamespace(NS).withName("etcd-snapshot").get()).isNull();
    assertThat(client.configMaps().inNamespace(NS).withName("etcd-snapshot-config").get()).isNull();
    assertThat(manager.log().lines().filter(line -> line.contains("cronjob.batch/etcd-snapshot pruned")))
        .as("pruned by the switch to continuous mode, and now").hasSize(2);
    assertThat(pvc()).isNotNull();
    assertThat(pvc().getMetadata().getDeletionTimestamp()).isNull();
    assertThat(pvc().getMetadata().getAnnotations()).containsEntry("etcd-snapshotter.io/last-result", "ok");
    assertThat(client.configMaps().inNamespace(NS).withName("other-addon").get()).isNotNull();
  }

  /**
   * kubectl's warnings in the addon manager's log, but for the one its own prune allowlist causes on every pass
   * (it names core/v1/Endpoints, deprecated since Kubernetes 1.33), which no addon can avoid.
   */
  private static List<String> warningsAboutTheAddon() {
    return manager.log().lines().filter(line -> line.toLowerCase(Locale.ROOT).contains("warning"))
        .filter(line -> !line.equals("Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1"
            + " EndpointSlice"))
        .toList();
  }

  private static Path addonPath() {
    return root.resolve("etc/kubernetes/addons");
  }

  private static void render(String schedule, String diskSize, boolean aws, boolean continuous) throws Exception {
    StateRun run = salt.apply(SLS, PILLAR.formatted(schedule, diskSize, aws, continuous));
    assertThat(run.succeeded()).as("%s", run).isTrue();
  }

  private static HasMetadata rendered(String file) throws IOException {
    try (InputStream in = Files.newInputStream(addonPath().resolve("etcd-snapshot").resolve(file))) {
      return client.load(in).items().get(0);
    }
  }

  private static PersistentVolumeClaim pvc() {
    return client.persistentVolumeClaims().inNamespace(NS).withName(PVC).get();
  }

  private static List<ReplicaSet> replicaSets() {
    return client.apps().replicaSets().inNamespace(NS).withLabel("app.kubernetes.io/component", "journal").list()
        .getItems();
  }

  private static List<Job> scheduledJobs() {
    return client.batch().v1().jobs().inNamespace(NS).list().getItems().stream()
        .filter(job -> job.getMetadata().getOwnerReferences().stream().map(OwnerReference::getKind)
            .anyMatch("CronJob"::equals))
        .filter(job -> !job.getMetadata().getName().equals("etcd-snapshot-now"))
        .toList();
  }
}
