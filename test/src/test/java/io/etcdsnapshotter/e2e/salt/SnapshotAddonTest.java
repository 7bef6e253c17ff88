package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The etcd-snapshot kube-addon as Salt renders it for the pillars operators write: every manifest parsed by fabric8
 * into typed objects, checked field by field, and accepted by a Kubernetes API (fabric8's mock server, CRUD mode).
 */
@EnableKubernetesMockClient(crud = true)
class SnapshotAddonTest {
  private static final String SLS = "kubernetes.etcd.snapshot-addon";
  private static final String ADDON_DIR = "etc/kubernetes/addons/etcd-snapshot";

  KubernetesClient client;

  @TempDir Path root;

  @BeforeAll
  static void saltInstalled() {
    SaltCall.saltCallPath();
  }

  @Test
  void hostnamePillarPinsTheCronJobToThatMaster() throws Exception {
    Map<String, HasMetadata> addon = render("""
        enable_etcd_snapshot: true
        etcd_snapshot_hostname: ip-10-0-1-17.ec2.internal
        etcd_snapshot:
          image: registry.example.com/etcd-snapshotter:1.2.3
        """);

    CronJob cronJob = (CronJob) addon.get("CronJob/etcd-snapshot");
    assertThat(cronJob.getMetadata().getNamespace()).isEqualTo("kube-system");
    assertThat(cronJob.getSpec().getSchedule()).isEqualTo("02 6 * * *");
    assertThat(cronJob.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
    assertThat(cronJob.getSpec().getStartingDeadlineSeconds()).isPositive();
    assertThat(cronJob.getSpec().getSuccessfulJobsHistoryLimit()).isPositive();
    assertThat(cronJob.getSpec().getFailedJobsHistoryLimit()).isPositive();
    assertThat(cronJob.getSpec().getJobTemplate().getSpec().getBackoffLimit()).isPositive();
    assertThat(cronJob.getSpec().getJobTemplate().getSpec().getActiveDeadlineSeconds())
        .as("both clusters' command timeouts and a margin, so the kubelet never stops a run within them")
        .isEqualTo(2 * 1800 + 300);

    PodSpec pod = cronJob.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getNodeSelector()).containsExactly(Map.entry("kubernetes.io/hostname", "ip-10-0-1-17.ec2.internal"));
    assertThat(pod.getAffinity()).isNull();
    assertThat(pod.getTolerations()).extracting(Toleration::getKey, Toleration::getOperator, Toleration::getEffect)
        .contains(
            tuple("node-role.kubernetes.io/control-plane", "Exists", "NoSchedule"),
            tuple("node-role.kubernetes.io/master", "Exists", "NoSchedule"));
    assertThat(pod.getServiceAccountName()).isEqualTo("etcd-snapshot");
    assertThat(pod.getContainers()).singleElement().satisfies(container -> {
      assertThat(container.getImage()).isEqualTo("registry.example.com/etcd-snapshotter:1.2.3");
      assertThat(container.getCommand()).containsExactly("java", "-XX:+UseSerialGC", "-Xmx128m",
          "-XX:SharedArchiveFile=/app/etcd-snapshotter.jsa", "-jar", "/app/etcd-snapshotter.jar", "snapshot",
          "--config", "/etc/etcd-snapshot/config.yaml");
      assertThat(container.getResources().getLimits()).containsKey("memory");
      assertThat(container.getVolumeMounts()).extracting(VolumeMount::getName, VolumeMount::getMountPath)
          .containsExactlyInAnyOrder(
              tuple("config", "/etc/etcd-snapshot"),
              tuple("snapshots", "/var/etcd-snapshot"),
              tuple("tmp", "/tmp"));
    });
    assertThat(pod.getVolumes()).extracting(Volume::getName)
        .containsExactlyInAnyOrder("config", "snapshots", "tmp");
    assertThat(volume(pod, "config").getConfigMap().getName()).isEqualTo("etcd-snapshot-config");
    assertThat(volume(pod, "snapshots").getPersistentVolumeClaim().getClaimName()).isEqualTo("kube-etcd-snapshot-pvc");

    ConfigMap config = (ConfigMap) addon.get("ConfigMap/etcd-snapshot-config");
    assertThat(yaml(config.getData().get("config.yaml"))).isEqualTo(Map.of(
        "dir", "/var/etcd-snapshot",
        "keep", 3,
        "commandTimeout", "1800s",
        "clusters", Map.of(
            "main", Map.of("endpoints", List.of("http://127.0.0.1:2379")),
            "events", Map.of("endpoints", List.of("http://127.0.0.1:4002")))));

    PersistentVolumeClaim pvc = (PersistentVolumeClaim) addon.get("PersistentVolumeClaim/kube-etcd-snapshot-pvc");
    assertThat(pvc.getMetadata().getLabels()).containsEntry("addonmanager.kubernetes.io/mode", "EnsureExists");
    assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("gp2");
    assertThat(pvc.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("1Gi"));

    assertThat(addon).doesNotContainKey("StorageClass/gp2");
    assertThat(addon.values()).allSatisfy(object ->
        assertThat(object.getMetadata().getLabels()).containsKey("addonmanager.kubernetes.io/mode"));
    assertCreatedOnApiServer(addon);
  }

  @Test
  void commandTimeoutAndClusterChangeReachTheJarAndTheDeadlineCoversEveryCluster() throws Exception {
    Map<String, HasMetadata> addon = render("""
        enable_etcd_snapshot: true
        etcd_snapshot_hostname: m1
        etcd_snapshot:
          command_timeout_seconds: 600
          allow_cluster_change: true
        """);

    ConfigMap config = (ConfigMap) addon.get("ConfigMap/etcd-snapshot-config");
    Map<String, Object> jar = yaml(config.getData().get("config.yaml"));
    assertThat(jar).containsEntry("commandTimeout", "600s").containsEntry("allowClusterChange", true);
    assertThat(((CronJob) addon.get("CronJob/etcd-snapshot")).getSpec().getJobTemplate().getSpec()
        .getActiveDeadlineSeconds()).isEqualTo(2 * 600 + 300);
  }

  @Test
  void awsPillarTurnsOnRecordingTaggingAndEbsSnapshotsInTheJarsConfig() throws Exception {
    Map<String, HasMetadata> addon = render("""
        enable_etcd_snapshot: true
        etcd_snapshot_zone: eu-west-1b
        cluster_name: prod-eu-west-1
        etcd_snapshot:
          aws:
            enabled: true
            region: eu-west-1
            tags: {backup: etcd}
            ebs_snapshots: true
            ebs_snapshots_keep: 5
            ebs_snapshots_max_age: 30d
            require_encrypted: true
        """);

    ConfigMap config = (ConfigMap) addon.get("ConfigMap/etcd-snapshot-config");
    Map<String, Object> jar = yaml(config.getData().get("config.yaml"));
    assertThat(jar).containsEntry("kubernetes", Map.of("namespace", "kube-system", "pvc", "kube-etcd-snapshot-pvc"));
    assertThat(jar).containsEntry("clusterName", "prod-eu-west-1");
    assertThat(jar).containsEntry("aws", Map.of("region", "eu-west-1",
        "tags", Map.of("etcd-snapshot", "true", "backup", "etcd"),
        "ebsSnapshots", Map.of("keep", 5, "maxAge", "30d"),
        "requireEncrypted", true, "useInstanceMetadata", false));
    assertCreatedOnApiServer(addon);
  }

  @Test
  void zonePillarPinsTheCronJobToTheMastersOfThatZoneAndDefaultStorageClassAddsGp2() throws Exception {
    Map<String, HasMetadata> addon = render("""
        enable_etcd_snapshot: true
        etcd_snapshot_zone: eu-west-1b
        etcd_snapshot_schedule: '*/30 1-5 * * mon-fri'
        etcd_snapshot_disk_size: 5Gi
        enable_default_storage_class: true
        """);

    CronJob cronJob = (CronJob) addon.get("CronJob/etcd-snapshot");
    assertThat(cronJob.getSpec().getSchedule()).isEqualTo("*/30 1-5 * * mon-fri");
    PodSpec pod = cronJob.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
    assertThat(pod.getNodeSelector()).containsExactly(Map.entry("topology.kubernetes.io/zone", "eu-west-1b"));
    List<String> masterLabels = new ArrayList<>();
    pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms()
        .forEach(term -> term.getMatchExpressions().forEach(expression -> {
          assertThat(expression.getOperator()).isEqualTo("Exists");
          masterLabels.add(expression.getKey());
        }));
    assertThat(masterLabels).containsExactly("node-role.kubernetes.io/control-plane");

    PersistentVolumeClaim pvc = (PersistentVolumeClaim) addon.get("PersistentVolumeClaim/kube-etcd-snapshot-pvc");
    assertThat(pvc.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("5Gi"));

    StorageClass gp2 = (StorageClass) addon.get("StorageClass/gp2");
    assertThat(gp2.getVolumeBindingMode()).isEqualTo("WaitForFirstConsumer");
    assertThat(gp2.getParameters()).containsEntry("encrypted", "true").containsEntry("type", "gp2");
    assertThat(gp2.getMetadata().getLabels()).containsEntry("addonmanager.kubernetes.io/mode", "EnsureExists");
    assertCreatedOnApiServer(addon);
  }

  @Test
  void withoutRecordingOrAwsTheJobGetsNoApiTokenAndNoRules() throws Exception {
    Map<String, HasMetadata> addon = render("""
        enable_etcd_snapshot: true
        etcd_snapshot_hostname: master-1
        """);

    ServiceAccount account = (ServiceAccount) addon.get("ServiceAccount/etcd-snapshot");
    assertThat(account.getAutomountServiceAccountToken()).isFalse();
    assertThat(podOf(addon).getAutomountServiceAccountToken()).isFalse();
    assertThat(addon).hasEntrySatisfying("Role/etcd-snapshot", role -> assertThat(((Role) role).getRules()).isEmpty())
        .hasEntrySatisfying("ClusterRole/etcd-snapshot",
            role -> assertThat(((ClusterRole) role).getRules()).isEmpty());
    assertCreatedOnApiServer(addon);
  }

  @Test
  void recordingOnThePvcMayOnlyReadAndAnnotateItsClaimAndReportEvents() throws Exception {
    Map<String, HasMetadata> addon = render("""
        enable_etcd_snapshot: true
        etcd_snapshot_hostname: master-1
        etcd_snapshot:
          record_on_pvc: true
        """);

    assertThat(((ServiceAccount) addon.get("ServiceAccount/etcd-snapshot")).getAutomountServiceAccountToken()).isTrue();
    assertThat(podOf(addon).getAutomountServiceAccountToken()).isTrue();
    assertClaimAndEventRules(addon);
    assertThat(((ClusterRole) addon.get("ClusterRole/etcd-snapshot")).getRules()).isEmpty();
    assertCreatedOnApiServer(addon);
  }

  @Test
  void awsAlsoMayReadPersistentVolumesAndItsServiceAccountCarriesTheIrsaRole() throws Exception {
    Map<String, HasMetadata> addon = render("""
        enable_etcd_snapshot: true
        etcd_snapshot_hostname: master-1
        etcd_snapshot:
          aws:
            enabled: true
            region: eu-west-1
            role_arn: arn:aws:iam::123456789012:role/etcd-snapshot
        cluster_name: prod-eu-west-1
        """);

    ServiceAccount account = (ServiceAccount) addon.get("ServiceAccount/etcd-snapshot");
    assertThat(account.getMetadata().getAnnotations())
        .containsExactly(Map.entry("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/etcd-snapshot"));
    assertClaimAndEventRules(addon);
    ClusterRole clusterRole = (ClusterRole) addon.get("ClusterRole/etcd-snapshot");
    assertThat(clusterRole.getRules()).singleElement().satisfies(rule -> {
      assertThat(rule.getResources()).containsExactly("persistentvolumes");
      assertThat(rule.getVerbs()).containsExactly("get");
    });
    assertThat(addon).containsKey("ClusterRoleBinding/etcd-snapshot");
    assertCreatedOnApiServer(addon);
  }

  @Test
  void keysOfAnotherOwnerAddOnlyTheReadCapabilityAndInstanceMetadataIsAskedOnlyWhenThePillarSays() throws Exception {
    Map<String, HasMetadata> addon = render("""
        enable_etcd_snapshot: true
        etcd_snapshot_hostname: master-1
        etcd_snapshot:
          read_keys_of_other_owners: true
          aws:
            enabled: true
            use_instance_metadata: true
        cluster_name: prod-eu-west-1
        """);

    Container container = podOf(addon).getContainers().get(0);
    assertThat(container.getSecurityContext().getCapabilities().getAdd()).containsExactly("DAC_READ_SEARCH");
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getEnv()).isEmpty();
    ConfigMap config = (ConfigMap) addon.get("ConfigMap/etcd-snapshot-config");
    assertThat(yaml(config.getData().get("config.yaml"))).extracting("aws")
        .isEqualTo(Map.of("tags", Map.of("etcd-snapshot", "true"), "requireEncrypted", false,
            "useInstanceMetadata", true));
  }

  private static void assertClaimAndEventRules(Map<String, HasMetadata> addon) {
    Role role = (Role) addon.get("Role/etcd-snapshot");
    assertThat(role.getRules()).extracting(PolicyRule::getResources, PolicyRule::getVerbs)
        .containsExactlyInAnyOrder(
            tuple(List.of("persistentvolumeclaims"), List.of("get", "patch")),
            tuple(List.of("events"), List.of("create")));
    assertThat(role.getRules().get(0).getResourceNames()).containsExactly("kube-etcd-snapshot-pvc");
    RoleBinding binding = (RoleBinding) addon.get("RoleBinding/etcd-snapshot");
    assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
      assertThat(subject.getKind()).isEqualTo("ServiceAccount");
      assertThat(subject.getName()).isEqualTo("etcd-snapshot");
      assertThat(subject.getNamespace()).isEqualTo("kube-system");
    });
  }

  private static PodSpec podOf(Map<String, HasMetadata> addon) {
    return ((CronJob) addon.get("CronJob/etcd-snapshot")).getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
  }

  @Test
  void clientTlsIsMountedFromTheMasterIntoARootContainerWithoutCapabilities() throws Exception {
    Map<String, HasMetadata> addon = render("""
        enable_etcd_snapshot: true
        etcd_snapshot_hostname: master-1
        etcd:
          client_tls:
            ca_file: /srv/kubernetes/etcd-ca.crt
            cert_file: /srv/kubernetes/etcd-client.crt
            key_file: /srv/kubernetes/etcd-client.key
        """);

    Map<String, Object> main = Map.of(
        "endpoints", List.of("https://127.0.0.1:2379"),
        "cacert", "/srv/kubernetes/etcd-ca.crt",
        "cert", "/srv/kubernetes/etcd-client.crt",
        "key", "/srv/kubernetes/etcd-client.key");
    ConfigMap config = (ConfigMap) addon.get("ConfigMap/etcd-snapshot-config");
    assertThat(yaml(config.getData().get("config.yaml"))).extracting("clusters").extracting("main").isEqualTo(main);
    PodSpec pod = podOf(addon);
    assertThat(pod.getVolumes()).filteredOn(volume -> volume.getHostPath() != null)
        .extracting(volume -> volume.getHostPath().getPath())
        .containsExactlyInAnyOrder("/srv/kubernetes/etcd-ca.crt", "/srv/kubernetes/etcd-client.crt",
            "/srv/kubernetes/etcd-client.key");

    // Root to read those keys (root, 0600), but nothing more: see cronjob.yaml.
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container container = pod.getContainers().get(0);
    SecurityContext security = container.getSecurityContext();
    assertThat(security.getRunAsUser()).isZero();
    assertThat(security.getPrivileged()).isFalse();
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).isEmpty();
    assertThat(container.getVolumeMounts()).filteredOn(mount -> !Boolean.TRUE.equals(mount.getReadOnly()))
        .extracting(VolumeMount::getName, VolumeMount::getMountPath)
        .as("the only writable paths: the snapshot volume and the temp dir")
        .containsExactlyInAnyOrder(tuple("snapshots", "/var/etcd-snapshot"), tuple("tmp", "/tmp"));
    assertThat(volume(pod, "tmp").getEmptyDir()).isNotNull();
    assertThat(container.getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
        .containsExactly(tuple("AWS_EC2_METADATA_DISABLED", "true"));
    assertCreatedOnApiServer(addon);
  }

  @Test
  void disablingTheSnapshotRemovesTheAddonAndTurningOffTheStorageClassRemovesItsFile() throws Exception {
    SaltCall salt = new SaltCall(root, "master-1");
    String enabled = """
        enable_etcd_snapshot: true
        etcd_snapshot_hostname: master-1
        enable_default_storage_class: %s
        """;
    assertThat(salt.apply(SLS, enabled.formatted(true)).succeeded()).isTrue();
    assertThat(root.resolve(ADDON_DIR).resolve("storageclass.yaml")).exists();

    StateRun withoutClass = salt.apply(SLS, enabled.formatted(false));
    assertThat(withoutClass.succeeded()).as("%s", withoutClass).isTrue();
    assertThat(root.resolve(ADDON_DIR).resolve("storageclass.yaml")).doesNotExist();
    assertThat(root.resolve(ADDON_DIR).resolve("cronjob.yaml")).exists();

    StateRun again = salt.apply(SLS, enabled.formatted(false));
    assertThat(again.changed()).as("%s", again).isEmpty();

    StateRun disabled = salt.apply(SLS, "enable_etcd_snapshot: false\n");
    assertThat(disabled.succeeded()).as("%s", disabled).isTrue();
    assertThat(root.resolve(ADDON_DIR)).doesNotExist();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      neither zone nor hostname | {}                                                      | needs etcd_snapshot_zone or etcd_snapshot_hostname
      both zone and hostname    | {etcd_snapshot_zone: eu-west-1a, etcd_snapshot_hostname: m1} | set either etcd_snapshot_zone or etcd_snapshot_hostname, not both
      words for a schedule      | {etcd_snapshot_hostname: m1, etcd_snapshot_schedule: daily} | etcd_snapshot_schedule "daily" is not a cron expression
      minute 61                 | {etcd_snapshot_hostname: m1, etcd_snapshot_schedule: '61 6 * * *'} | etcd_snapshot_schedule "61 6 * * *" is not a cron expression
      six fields                | {etcd_snapshot_hostname: m1, etcd_snapshot_schedule: '0 2 6 * * *'} | etcd_snapshot_schedule "0 2 6 * * *" is not a cron expression
      GB is not a quantity      | {etcd_snapshot_hostname: m1, etcd_snapshot_disk_size: 1GB} | etcd_snapshot_disk_size "1GB" is not a positive Kubernetes quantity
      zero size                 | {etcd_snapshot_hostname: m1, etcd_snapshot_disk_size: 0} | etcd_snapshot_disk_size "0" is not a positive Kubernetes quantity
      hostname with a space     | {etcd_snapshot_hostname: 'master 1'}                    | etcd_snapshot_hostname "master 1" is not a Kubernetes label value
      aws without cluster name  | {etcd_snapshot_hostname: m1, etcd_snapshot: {aws: {enabled: true, region: eu-west-1}}} | etcd_snapshot:aws:enabled needs the cluster name its EBS snapshots are tagged with: set pillar cluster_name
      cluster name with a slash | {etcd_snapshot_hostname: m1, cluster_name: 'prod/1', etcd_snapshot: {aws: {enabled: true, region: eu-west-1}}} | cluster name "prod/1" is not a cluster name
      one cluster's deadline    | {etcd_snapshot_hostname: m1, etcd_snapshot: {active_deadline_seconds: 1800}} | etcd_snapshot:active_deadline_seconds "1800" does not cover 2 clusters of etcd_snapshot:command_timeout_seconds 1800 plus 300 s: set it to at least 3900
      words for a timeout       | {etcd_snapshot_hostname: m1, etcd_snapshot: {command_timeout_seconds: 30m}} | etcd_snapshot:command_timeout_seconds "30m" is not a positive number of seconds
      aws without a region      | {etcd_snapshot_hostname: m1, cluster_name: prod, etcd_snapshot: {aws: {enabled: true}}} | etcd_snapshot:aws:region is empty
      """)
  void pillarMistakeFailsWithItsMessageAndWritesNoManifest(String mistake, String flowPillar, String message)
      throws Exception {
    String pillar = "{enable_etcd_snapshot: true" + (flowPillar.equals("{}") ? "}" : ", " + flowPillar.substring(1));
    StateRun run = new SaltCall(root, "master-1").apply(SLS, pillar);

    assertThat(run.exitCode()).as("%s", run).isNotZero();
    assertThat(run.failures()).as("%s", run).singleElement().asString().contains(message);
    assertThat(root.resolve(ADDON_DIR)).doesNotExist();
  }

  private Map<String, HasMetadata> render(String pillar) throws IOException, InterruptedException {
    StateRun run = new SaltCall(root, "master-1").apply(SLS, pillar);
    assertThat(run.succeeded()).as("%s", run).isTrue();
    Map<String, HasMetadata> objects = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(root.resolve(ADDON_DIR))) {
      for (Path file : files.sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          client.load(in).items().forEach(o -> objects.put(o.getKind() + "/" + o.getMetadata().getName(), o));
        }
      }
    }
    return objects;
  }

  private void assertCreatedOnApiServer(Map<String, HasMetadata> addon) {
    for (HasMetadata object : addon.values()) {
      HasMetadata created = client.resource(object).create();
      assertThat(client.resource(created).get()).as(object.getKind()).isNotNull();
    }
    assertThat(client.batch().v1().cronjobs().inNamespace("kube-system").withName("etcd-snapshot").get()
        .getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getHostNetwork()).isTrue();
    assertThat(client.persistentVolumeClaims().inNamespace("kube-system").withName("kube-etcd-snapshot-pvc").get())
        .isNotNull();
  }

  private static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> yaml(String text) {
    return client.getKubernetesSerialization().unmarshal(text, Map.class);
  }
}
