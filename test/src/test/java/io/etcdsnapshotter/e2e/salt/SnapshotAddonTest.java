package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.etcdsnapshotter.e2e.kube.KubeApiServer;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessResult;
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
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The etcd-snapshot kube-addon as Salt renders it for the pillars operators write: every manifest parsed by fabric8
 * into typed objects and checked field by field, and every rendered directory sent to one real kube-apiserver with
 * {@code kubectl apply --dry-run=server --validate=strict}, which must take it without a warning. The RBAC of each
 * mode is applied for real in a namespace of its own, and {@code kubectl auth can-i} proves what the addon's
 * ServiceAccount may and may not do there.
 */
class SnapshotAddonTest {
  private static final String SLS = "kubernetes.etcd.snapshot-addon";
  private static final String ADDON_DIR = "etc/kubernetes/addons/etcd-snapshot";
  private static final String ACCOUNT = "etcd-snapshot";
  private static final String CLAIM = "persistentvolumeclaims/kube-etcd-snapshot-pvc";
  // The authorizer reads RBAC objects from its watch caches, which see an apply a moment after it returns.
  private static final Duration RBAC_PROPAGATION = Duration.ofSeconds(30);

  private static KubeApiServer apiServer;
  private static KubernetesClient client;
  private static int namespaces;

  @TempDir Path root;
  /** What a test applied for real, deleted after it, so no test sees another's objects. */
  private Path applied;
  private String appliedNamespace;

  @BeforeAll
  static void startApiServer() {
    SaltCall.saltCallPath();
    apiServer = KubeApiServer.start();
    client = apiServer.client();
  }

  @AfterAll
  static void stopApiServer() {
    if (client != null) {
      client.close();
    }
    if (apiServer != null) {
      apiServer.close();
    }
  }

  @AfterEach
  void deleteWhatWasApplied() {
    // --wait=false: no controller here removes the PVC's protection finalizer, nor empties a deleted namespace.
    if (applied != null) {
      apiServer.kubectl("delete", "--ignore-not-found", "--wait=false", "-f", applied.toString()).orThrow();
    }
    if (appliedNamespace != null) {
      apiServer.kubectl("delete", "namespace", appliedNamespace, "--wait=false").orThrow();
    }
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
              tuple("tmp", "/tmp"),
              tuple("drill", "/var/etcd-snapshot-drill"));
    });
    assertThat(pod.getVolumes()).extracting(Volume::getName)
        .containsExactlyInAnyOrder("config", "snapshots", "tmp", "drill");
    assertThat(volume(pod, "config").getConfigMap().getName()).isEqualTo("etcd-snapshot-config");
    assertThat(volume(pod, "snapshots").getPersistentVolumeClaim().getClaimName()).isEqualTo("kube-etcd-snapshot-pvc");

    ConfigMap config = (ConfigMap) addon.get("ConfigMap/etcd-snapshot-config");
    assertThat(yaml(config.getData().get("config.yaml"))).isEqualTo(Map.of(
        "dir", "/var/etcd-snapshot",
        "keep", 3,
        "commandTimeout", "1800s",
        "drill", Map.of("enabled", true, "dir", "/var/etcd-snapshot-drill", "sizeLimit", "3Gi"),
        "clusters", Map.of(
            "main", Map.of("endpoints", List.of("http://127.0.0.1:2379"), "restoredBy",
                Map.of("token", "etcd-cluster", "initialCluster", "m1=http://127.0.0.1:2380")),
            "events", Map.of("endpoints", List.of("http://127.0.0.1:4002"), "restoredBy",
                Map.of("token", "etcd-cluster-events", "initialCluster", "m1=http://127.0.0.1:2381")))));

    PersistentVolumeClaim pvc = (PersistentVolumeClaim) addon.get("PersistentVolumeClaim/kube-etcd-snapshot-pvc");
    assertThat(pvc.getMetadata().getLabels()).containsEntry("addonmanager.kubernetes.io/mode", "EnsureExists");
    assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("gp2");
    assertThat(pvc.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("1Gi"));

    assertThat(addon).doesNotContainKey("StorageClass/gp2");
    assertThat(addon.values()).allSatisfy(object ->
        assertThat(object.getMetadata().getLabels()).containsKey("addonmanager.kubernetes.io/mode"));
  }

  @Test
  void commandTimeoutClusterChangeAndRateLimitReachTheJarAndTheDeadlineCoversEveryCluster() throws Exception {
    Map<String, HasMetadata> addon = render("""
        enable_etcd_snapshot: true
        etcd_snapshot_hostname: m1
        etcd_snapshot:
          command_timeout_seconds: 600
          allow_cluster_change: true
          rate_limit: 64MiB
        """);

    ConfigMap config = (ConfigMap) addon.get("ConfigMap/etcd-snapshot-config");
    Map<String, Object> jar = yaml(config.getData().get("config.yaml"));
    assertThat(jar).containsEntry("commandTimeout", "600s").containsEntry("allowClusterChange", true)
        .containsEntry("rateLimit", "64MiB");
    assertThat(((CronJob) addon.get("CronJob/etcd-snapshot")).getSpec().getJobTemplate().getSpec()
        .getActiveDeadlineSeconds()).isEqualTo(2 * 600 + 300);
  }

  @Test
  @SuppressWarnings("unchecked")
  void eachClusterTellsTheJarHowKubernetesEtcdRestoredBootstrapsIt() throws Exception {
    Map<String, HasMetadata> addon = render("""
        enable_etcd_snapshot: true
        etcd_snapshot_hostname: m1
        etcd:
          members:
            - {name: m1, address: 10.0.0.1}
            - {name: m2, address: 10.0.0.2}
        """);

    ConfigMap config = (ConfigMap) addon.get("ConfigMap/etcd-snapshot-config");
    Map<String, Object> clusters = (Map<String, Object>) yaml(config.getData().get("config.yaml")).get("clusters");
    assertThat(clusters).extracting("main").extracting("restoredBy").isEqualTo(Map.of("token", "etcd-cluster",
        "initialCluster", "m1=http://10.0.0.1:2380,m2=http://10.0.0.2:2380"));
    assertThat(clusters).extracting("events").extracting("restoredBy").isEqualTo(Map.of(
        "token", "etcd-cluster-events", "initialCluster", "m1=http://10.0.0.1:2381,m2=http://10.0.0.2:2381"));
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
            ebs_snapshots_copies:
              - {region: us-west-2, kms_key_id: alias/etcd-dr, keep: 3}
              - {region: eu-central-1, max_age: 90d}
            require_encrypted: true
        """);

    ConfigMap config = (ConfigMap) addon.get("ConfigMap/etcd-snapshot-config");
    Map<String, Object> jar = yaml(config.getData().get("config.yaml"));
    assertThat(jar).containsEntry("kubernetes", Map.of("namespace", "kube-system", "pvc", "kube-etcd-snapshot-pvc"));
    assertThat(jar).containsEntry("clusterName", "prod-eu-west-1");
    assertThat(jar).containsEntry("aws", Map.of("region", "eu-west-1",
        "tags", Map.of("etcd-snapshot", "true", "backup", "etcd"),
        "ebsSnapshots", Map.of("keep", 5, "maxAge", "30d", "copies", List.of(
            Map.of("region", "us-west-2", "kmsKeyId", "alias/etcd-dr", "keep", 3),
            Map.of("region", "eu-central-1", "maxAge", "90d"))),
        "requireEncrypted", true, "useInstanceMetadata", false));
  }

  @Test
  void encryptionPillarGivesTheJarItsKmsKeyAndTheServiceAccountItsRoleWithoutAws() throws Exception {
    String key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    Map<String, HasMetadata> addon = render("""
        enable_etcd_snapshot: true
        etcd_snapshot_hostname: m1
        etcd_snapshot:
          encryption:
            kms_key_id: %s
          aws:
            role_arn: arn:aws:iam::123456789012:role/etcd-snapshot
        """.formatted(key));

    ConfigMap config = (ConfigMap) addon.get("ConfigMap/etcd-snapshot-config");
    assertThat(yaml(config.getData().get("config.yaml"))).containsEntry("encryption",
        Map.of("kmsKeyId", key, "useInstanceMetadata", false)).doesNotContainKey("aws");
    assertThat(((ServiceAccount) addon.get("ServiceAccount/etcd-snapshot")).getMetadata().getAnnotations())
        .containsExactly(Map.entry("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/etcd-snapshot"));
  }

  /** The journal seals its segments under the snapshots' key: continuous mode takes the same encryption pillar. */
  @Test
  void continuousModeWithEncryptionRunsTheJournalWithTheKmsKeyInItsConfig() throws Exception {
    String key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    Map<String, HasMetadata> addon = render("""
        enable_etcd_snapshot: true
        etcd_snapshot_hostname: m1
        etcd_snapshot:
          continuous:
            enabled: true
          encryption:
            kms_key_id: %s
        """.formatted(key));

    assertThat(addon).containsKey("Deployment/etcd-snapshot").doesNotContainKey("CronJob/etcd-snapshot");
    ConfigMap config = (ConfigMap) addon.get("ConfigMap/etcd-snapshot-config");
    assertThat(yaml(config.getData().get("config.yaml"))).containsEntry("encryption",
        Map.of("kmsKeyId", key, "useInstanceMetadata", false));
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
    assertThat(masterLabels(pod)).containsExactly("node-role.kubernetes.io/control-plane");

    PersistentVolumeClaim pvc = (PersistentVolumeClaim) addon.get("PersistentVolumeClaim/kube-etcd-snapshot-pvc");
    assertThat(pvc.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("5Gi"));

    StorageClass gp2 = (StorageClass) addon.get("StorageClass/gp2");
    assertThat(gp2.getVolumeBindingMode()).isEqualTo("WaitForFirstConsumer");
    assertThat(gp2.getParameters()).containsEntry("encrypted", "true").containsEntry("type", "gp2");
    assertThat(gp2.getMetadata().getLabels()).containsEntry("addonmanager.kubernetes.io/mode", "EnsureExists");
  }

  @Test
  void anOperatorsOldMasterLabelIsRenderedAndTheServerWarnsThatItIsDeprecated() throws Exception {
    Path dir = renderFiles("""
        enable_etcd_snapshot: true
        etcd_snapshot_zone: eu-west-1b
        etcd_snapshot:
          master_label: node-role.kubernetes.io/master
        """);

    assertThat(masterLabels(podOf(parse(dir)))).containsExactly("node-role.kubernetes.io/master");
    // What docs/salt.md and pillar.example promise whoever names it: accepted, with the server's warning.
    ProcessResult apply = dryRunOnServer(dir);
    assertThat(apply.exitCode()).as("%s", apply).isZero();
    assertThat(apply.stderrLines()).as("%s", apply).singleElement().asString().startsWith("Warning: ")
        .contains("node-role.kubernetes.io/master", "use \"node-role.kubernetes.io/control-plane\" instead");
  }

  private static List<String> masterLabels(PodSpec pod) {
    List<String> labels = new ArrayList<>();
    pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms()
        .forEach(term -> term.getMatchExpressions().forEach(expression -> {
          assertThat(expression.getOperator()).isEqualTo("Exists");
          labels.add(expression.getKey());
        }));
    return labels;
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
        "key", "/srv/kubernetes/etcd-client.key",
        "restoredBy", Map.of("token", "etcd-cluster", "initialCluster", "m1=http://127.0.0.1:2380"));
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
        .as("the only writable paths: the snapshot volume, the temp dir and the drill's scratch space")
        .containsExactlyInAnyOrder(tuple("snapshots", "/var/etcd-snapshot"), tuple("tmp", "/tmp"),
            tuple("drill", "/var/etcd-snapshot-drill"));
    assertThat(volume(pod, "tmp").getEmptyDir()).isNotNull();
    assertThat(container.getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
        .containsExactly(tuple("AWS_EC2_METADATA_DISABLED", "true"));
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
    assertAcceptedWithoutWarnings(root.resolve(ADDON_DIR));

    StateRun withoutClass = salt.apply(SLS, enabled.formatted(false));
    assertThat(withoutClass.succeeded()).as("%s", withoutClass).isTrue();
    assertThat(root.resolve(ADDON_DIR).resolve("storageclass.yaml")).doesNotExist();
    assertThat(root.resolve(ADDON_DIR).resolve("cronjob.yaml")).exists();
    assertAcceptedWithoutWarnings(root.resolve(ADDON_DIR));

    StateRun again = salt.apply(SLS, enabled.formatted(false));
    assertThat(again.changed()).as("%s", again).isEmpty();

    StateRun disabled = salt.apply(SLS, "enable_etcd_snapshot: false\n");
    assertThat(disabled.succeeded()).as("%s", disabled).isTrue();
    assertThat(root.resolve(ADDON_DIR)).doesNotExist();
  }

  @Test
  void continuousModeRunsTheJournalAsOneDeploymentOfTheCronJobsPodInsteadOfTheCronJob() throws Exception {
    String pillar = """
        enable_etcd_snapshot: true
        etcd_snapshot_zone: eu-west-1b
        etcd_snapshot:
          log_format: json
          read_keys_of_other_owners: true
          record_on_pvc: true
          tls:
            ca_file: /srv/kubernetes/etcd-ca.crt
            cert_file: /srv/kubernetes/etcd-client.crt
            key_file: /srv/kubernetes/etcd-client.key
          continuous:
            enabled: %s
            fsync_interval: 500ms
            snapshot_interval: 2h
        """;
    PodSpec cronJobPod = podOf(render(pillar.formatted(false)));

    Map<String, HasMetadata> addon = render(pillar.formatted(true));

    assertThat(addon).doesNotContainKey("CronJob/etcd-snapshot");
    Deployment deployment = (Deployment) addon.get("Deployment/etcd-snapshot");
    assertThat(deployment.getMetadata().getLabels()).containsEntry("addonmanager.kubernetes.io/mode", "Reconcile");
    assertThat(deployment.getSpec().getReplicas()).as("one writer of the journal and the RWO volume").isOne();
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getRestartPolicy()).isEqualTo("Always");
    assertThat(pod.getTerminationGracePeriodSeconds()).as("the journal's 5 s catch-up, then its last fsyncs")
        .isGreaterThanOrEqualTo(15L);
    Container container = pod.getContainers().get(0);
    assertThat(container.getCommand()).containsExactly("java", "-XX:+UseSerialGC", "-Xms16m", "-Xmx64m",
        "-XX:+ExitOnOutOfMemoryError", "-XX:-TieredCompilation", "-XX:CICompilerCount=1",
        "-XX:TrimNativeHeapInterval=5000", "-XX:SharedArchiveFile=/app/etcd-snapshotter.jsa", "-jar",
        "/app/etcd-snapshotter.jar", "journal", "--config", "/etc/etcd-snapshot/config.yaml", "--fsync-interval",
        "500ms", "--snapshot-interval", "2h", "--log-format", "json");
    assertThat(container.getResources().getRequests()).containsEntry("memory", new Quantity("128Mi"));
    assertThat(container.getResources().getLimits()).containsOnly(Map.entry("memory", new Quantity("256Mi")));
    assertThat(container.getLivenessProbe()).isNull();
    // The rest is the CronJob's pod: the same master, network, rights, volume, config and keys.
    assertThat(pod.getNodeSelector()).containsExactly(Map.entry("topology.kubernetes.io/zone", "eu-west-1b"));
    assertThat(volume(pod, "snapshots").getPersistentVolumeClaim().getClaimName()).isEqualTo("kube-etcd-snapshot-pvc");
    for (PodSpec spec : List.of(pod, cronJobPod)) {
      spec.setRestartPolicy(null);
      spec.setTerminationGracePeriodSeconds(null);
      spec.getContainers().get(0).setCommand(null);
      spec.getContainers().get(0).setResources(null);
    }
    assertThat(pod).isEqualTo(cronJobPod);
  }

  @Test
  void switchingContinuousModeOnAndOffLeavesOnlyTheFileOfTheModeInTheAddonDirectory() throws Exception {
    SaltCall salt = new SaltCall(root, "master-1");
    String pillar = """
        enable_etcd_snapshot: true
        etcd_snapshot_hostname: master-1
        etcd_snapshot: {continuous: {enabled: %s}}
        """;
    Path dir = root.resolve(ADDON_DIR);
    for (boolean continuous : new boolean[] {false, true, false, true}) {
      StateRun run = salt.apply(SLS, pillar.formatted(continuous));
      assertThat(run.succeeded()).as("%s", run).isTrue();
      assertThat(dir.resolve("deployment.yaml")).as("continuous: %s", continuous).matches(
          file -> Files.exists(file) == continuous);
      assertThat(dir.resolve("cronjob.yaml")).as("continuous: %s", continuous).matches(
          file -> Files.exists(file) != continuous);
      assertAcceptedWithoutWarnings(dir);
    }
    StateRun again = salt.apply(SLS, pillar.formatted(true));
    assertThat(again.changed()).as("%s", again).isEmpty();
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
      MB for a rate             | {etcd_snapshot_hostname: m1, etcd_snapshot: {rate_limit: 64MB}} | etcd_snapshot:rate_limit "64MB" is not a rate of at least 1MiB/s
      a rate below 1 MiB/s      | {etcd_snapshot_hostname: m1, etcd_snapshot: {rate_limit: 512KiB}} | etcd_snapshot:rate_limit "512KiB" is not a rate of at least 1MiB/s
      aws without a region      | {etcd_snapshot_hostname: m1, cluster_name: prod, etcd_snapshot: {aws: {enabled: true}}} | etcd_snapshot:aws:region is empty
      a copy without a region   | {etcd_snapshot_hostname: m1, etcd_snapshot: {aws: {ebs_snapshots_copies: [{keep: 3}]}}} | etcd_snapshot:aws:ebs_snapshots_copies entry {"keep": 3} needs a region
      master label with a space | {etcd_snapshot_zone: eu-west-1a, etcd_snapshot: {master_label: 'node role'}} | etcd_snapshot:master_label "node role" is not a Kubernetes label key (e.g. node-role.kubernetes.io/control-plane)
      a KMS alias, no region    | {etcd_snapshot_hostname: m1, etcd_snapshot: {encryption: {kms_key_id: alias/etcd}}} | etcd_snapshot:encryption:kms_key_id "alias/etcd" names no region
      continuous: yes           | {etcd_snapshot_hostname: m1, etcd_snapshot: {continuous: {enabled: 'yes'}}} | etcd_snapshot:continuous:enabled "yes" is not true or false
      fsync every 5 minutes     | {etcd_snapshot_hostname: m1, etcd_snapshot: {continuous: {enabled: true, fsync_interval: 5m}}} | etcd_snapshot:continuous:fsync_interval "5m" is not a duration from 100ms to 1m
      fsync in words            | {etcd_snapshot_hostname: m1, etcd_snapshot: {continuous: {enabled: true, fsync_interval: 1 second}}} | etcd_snapshot:continuous:fsync_interval "1 second" is not a duration from 100ms to 1m
      snapshots every minute    | {etcd_snapshot_hostname: m1, etcd_snapshot: {continuous: {enabled: true, snapshot_interval: 1m}}} | etcd_snapshot:continuous:snapshot_interval "1m" is not a duration from 10m to 7d
      snapshot interval no unit | {etcd_snapshot_hostname: m1, etcd_snapshot: {continuous: {enabled: true, snapshot_interval: 3600}}} | etcd_snapshot:continuous:snapshot_interval "3600" is not a duration from 10m to 7d
      """)
  void pillarMistakeFailsWithItsMessageAndWritesNoManifest(String mistake, String flowPillar, String message)
      throws Exception {
    String pillar = "{enable_etcd_snapshot: true" + (flowPillar.equals("{}") ? "}" : ", " + flowPillar.substring(1));
    StateRun run = new SaltCall(root, "master-1").apply(SLS, pillar);

    assertThat(run.exitCode()).as("%s", run).isNotZero();
    assertThat(run.failures()).as("%s", run).singleElement().asString().contains(message);
    assertThat(root.resolve(ADDON_DIR)).doesNotExist();
  }

  @Test
  void cronJobWithMinute61IsRejectedByTheServer() throws Exception {
    Path cronJob = renderFiles("""
        enable_etcd_snapshot: true
        etcd_snapshot_hostname: master-1
        """).resolve("cronjob.yaml");
    String rendered = Files.readString(cronJob);
    assertThat(rendered).contains("schedule: \"02 6 * * *\"");
    // What the pillar check refuses before Salt writes it: proof the server refuses it too, unlike a mock server.
    Files.writeString(cronJob, rendered.replace("schedule: \"02 6 * * *\"", "schedule: \"61 * * * *\""));

    ProcessResult apply = dryRunOnServer(cronJob);

    assertThat(apply.exitCode()).as("%s", apply).isNotZero();
    assertThat(apply.stderr()).contains("spec.schedule: Invalid value: \"61 * * * *\"");
  }

  /** Which RBAC a pillar's modes turn on: the Role (its claim, Events) and the ClusterRole (PersistentVolumes). */
  private enum Mode {
    NEITHER("", false, false),
    RECORD_ON_PVC(", record_on_pvc: true", true, false),
    AWS(", aws: {enabled: true, region: eu-west-1}", true, true);

    final String pillar;
    final boolean claimAndEvents;
    final boolean persistentVolumes;

    Mode(String pillar, boolean claimAndEvents, boolean persistentVolumes) {
      this.pillar = pillar;
      this.claimAndEvents = claimAndEvents;
      this.persistentVolumes = persistentVolumes;
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void eachModesServiceAccountMayDoWhatTheJarDoesAndNothingElse(Mode mode) throws Exception {
    String namespace = freshNamespace();

    applyForReal(namespace, mode);

    assertServiceAccountMayOnlyDoWhat(namespace, mode);
  }

  @Test
  void turningAModeOffRevokesWhatItGranted() throws Exception {
    String namespace = freshNamespace();

    applyForReal(namespace, Mode.AWS);
    assertServiceAccountMayOnlyDoWhat(namespace, Mode.AWS);
    applyForReal(namespace, Mode.RECORD_ON_PVC);
    assertServiceAccountMayOnlyDoWhat(namespace, Mode.RECORD_ON_PVC);
    applyForReal(namespace, Mode.NEITHER);
    assertServiceAccountMayOnlyDoWhat(namespace, Mode.NEITHER);
  }

  private String freshNamespace() {
    String namespace = "etcd-snapshot-" + ++namespaces;
    apiServer.kubectl("create", "namespace", namespace).orThrow();
    appliedNamespace = namespace;
    return namespace;
  }

  /** Renders the addon into {@code namespace} with {@code mode} and applies it as an operator would, not dry. */
  private void applyForReal(String namespace, Mode mode) throws Exception {
    Path dir = renderFiles("""
        enable_etcd_snapshot: true
        etcd_snapshot_hostname: master-1
        cluster_name: prod-eu-west-1
        etcd_snapshot: {namespace: %s%s}
        """.formatted(namespace, mode.pillar));
    applied = dir;
    ProcessResult apply = apiServer.kubectl("apply", "--validate=strict", "-f", dir.toString());
    assertThat(apply.exitCode()).as("%s", apply).isZero();
    assertThat(apply.stderr()).as("%s", apply).isBlank();
  }

  /**
   * What the ServiceAccount must never be allowed, whatever the mode: kubectl auth can-i's words, asked in the
   * account's own namespace unless they end in "in NAMESPACE".
   */
  private static final List<String> NEVER = """
      get persistentvolumeclaims/another-claim
      patch persistentvolumeclaims/another-claim
      list persistentvolumeclaims
      watch persistentvolumeclaims
      create persistentvolumeclaims
      update persistentvolumeclaims/kube-etcd-snapshot-pvc
      delete persistentvolumeclaims/kube-etcd-snapshot-pvc
      get persistentvolumeclaims/kube-etcd-snapshot-pvc in default
      list persistentvolumes
      watch persistentvolumes
      patch persistentvolumes
      list events
      update events
      create events in default
      get secrets
      list secrets
      get configmaps
      get pods
      create pods
      create jobs.batch
      * *
      get nodes
      list namespaces
      create clusterrolebindings.rbac.authorization.k8s.io
      * * --all-namespaces
      """.lines().toList();

  /** Asks every question of the mode and of {@link #NEVER} until the authorizer's caches hold what was applied. */
  private static void assertServiceAccountMayOnlyDoWhat(String namespace, Mode mode) {
    Map<String, Boolean> expected = new LinkedHashMap<>();
    expected.put("get " + CLAIM, mode.claimAndEvents);
    expected.put("patch " + CLAIM, mode.claimAndEvents);
    expected.put("create events", mode.claimAndEvents);
    expected.put("create events.events.k8s.io", mode.claimAndEvents);
    expected.put("get persistentvolumes", mode.persistentVolumes);
    NEVER.forEach(question -> expected.put(question, false));

    AtomicReference<List<String>> wrong = new AtomicReference<>();
    Polling.await("kubectl auth can-i answering as the RBAC of " + mode + " says", RBAC_PROPAGATION, () -> {
      wrong.set(expected.entrySet().stream()
          .filter(entry -> serviceAccountCan(namespace, entry.getKey()) != entry.getValue())
          .map(entry -> "can-i " + entry.getKey() + ": " + (entry.getValue() ? "no, must be yes" : "yes, must be no"))
          .toList());
      return wrong.get().isEmpty();
    }, () -> String.join("\n", wrong.get()));
  }

  private static boolean serviceAccountCan(String namespace, String question) {
    String[] words = question.split(" in ");
    return apiServer.serviceAccountCanIn(words.length == 2 ? words[1] : namespace, namespace, ACCOUNT,
        words[0].split(" "));
  }

  /** Renders {@code pillar}, sends the files to the API server (taken, no warning) and parses them. */
  private Map<String, HasMetadata> render(String pillar) throws IOException, InterruptedException {
    Path dir = renderFiles(pillar);
    assertAcceptedWithoutWarnings(dir);
    return parse(dir);
  }

  private Path renderFiles(String pillar) {
    return RenderedAddon.render(root, pillar);
  }

  private static Map<String, HasMetadata> parse(Path dir) throws IOException {
    Map<String, HasMetadata> objects = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          client.load(in).items().forEach(o -> objects.put(o.getKind() + "/" + o.getMetadata().getName(), o));
        }
      }
    }
    return objects;
  }

  private static ProcessResult dryRunOnServer(Path fileOrDir) {
    return apiServer.kubectl("apply", "--dry-run=server", "--validate=strict", "-f", fileOrDir.toString());
  }

  /** Every object of {@code dir} passes the server's admission and strict validation, and nothing is deprecated. */
  private static void assertAcceptedWithoutWarnings(Path dir) throws IOException {
    ProcessResult apply = dryRunOnServer(dir);
    assertThat(apply.exitCode()).as("%s", apply).isZero();
    // kubectl prints the server's warnings (deprecated fields, labels, APIs) as "Warning: ..." on stderr.
    assertThat(apply.stderr()).as("%s", apply).isBlank();
    assertThat(apply.stdout().lines()).as("%s", apply).hasSize(parse(dir).size())
        .allSatisfy(line -> assertThat(line).endsWith(" (server dry run)"));
  }

  private static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(String text) {
    return client.getKubernetesSerialization().unmarshal(text, Map.class);
  }
}
