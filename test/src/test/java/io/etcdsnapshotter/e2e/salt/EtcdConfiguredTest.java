package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.testing.FreePorts;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kubernetes.etcd.configured: the static pods of etcd main and events as a master's kubelet would run them. */
class EtcdConfiguredTest {
  @TempDir Path root;

  @BeforeAll
  static void saltInstalled() {
    SaltCall.saltCallPath();
  }

  @Test
  void threeMembersWithPeerTlsGetTheHistoricalPortsDataDirsAndWholeCluster() throws Exception {
    SaltCall salt = new SaltCall(root, "master-2");
    StateRun run = salt.apply("kubernetes.etcd.configured", """
        etcd:
          image: registry.k8s.io/etcd:3.5.21-0
          advertise_address: 10.0.2.10
          members:
            - {name: master-1, address: 10.0.1.10}
            - {name: master-2, address: 10.0.2.10}
            - {name: master-3, address: 10.0.3.10}
          peer_tls:
            ca_file: /srv/kubernetes/etcd-ca.crt
            cert_file: /srv/kubernetes/etcd-peer.crt
            key_file: /srv/kubernetes/etcd-peer.key
        """);
    assertThat(run.succeeded()).as("%s", run).isTrue();

    Container main = container(salt.path("etc/kubernetes/manifests/etcd.manifest"));
    assertThat(main.getImage()).isEqualTo("registry.k8s.io/etcd:3.5.21-0");
    assertThat(main.getCommand()).contains(
        "--name=master-2",
        "--data-dir=" + salt.path("var/etcd/data"),
        "--listen-client-urls=http://127.0.0.1:2379",
        "--listen-peer-urls=https://10.0.2.10:2380",
        "--initial-advertise-peer-urls=https://10.0.2.10:2380",
        "--initial-cluster=master-1=https://10.0.1.10:2380,master-2=https://10.0.2.10:2380,"
            + "master-3=https://10.0.3.10:2380",
        "--peer-trusted-ca-file=/srv/kubernetes/etcd-ca.crt",
        "--peer-cert-file=/srv/kubernetes/etcd-peer.crt",
        "--peer-key-file=/srv/kubernetes/etcd-peer.key",
        "--peer-client-cert-auth=true");

    Container events = container(salt.path("etc/kubernetes/manifests/etcd-events.manifest"));
    assertThat(events.getCommand()).contains(
        "--data-dir=" + salt.path("var/etcd/data-events"),
        "--listen-client-urls=http://127.0.0.1:4002",
        "--initial-advertise-peer-urls=https://10.0.2.10:2381",
        "--initial-cluster=master-1=https://10.0.1.10:2381,master-2=https://10.0.2.10:2381,"
            + "master-3=https://10.0.3.10:2381");
    assertThat(salt.path("var/etcd/data-events")).isDirectory();
  }

  @Test
  void clientsOnTheAddressAreServedAndAdvertisedThereBesideLoopbackWithClientTls() throws Exception {
    SaltCall salt = new SaltCall(root, "master-2");
    StateRun run = salt.apply("kubernetes.etcd.configured", """
        etcd:
          advertise_address: 10.0.2.10
          members:
            - {name: master-1, address: 10.0.1.10}
            - {name: master-2, address: 10.0.2.10}
          client_on_address: true
          client_tls:
            ca_file: /srv/kubernetes/etcd-ca.crt
            cert_file: /srv/kubernetes/etcd-server.crt
            key_file: /srv/kubernetes/etcd-server.key
        """);
    assertThat(run.succeeded()).as("%s", run).isTrue();

    assertThat(container(salt.path("etc/kubernetes/manifests/etcd.manifest")).getCommand()).contains(
        "--listen-client-urls=https://127.0.0.1:2379,https://10.0.2.10:2379",
        "--advertise-client-urls=https://10.0.2.10:2379",
        "--client-cert-auth=true",
        "--initial-cluster-state=new");
  }

  @Test
  void clientsOnTheAddressWithoutClientCertificatesAreRefused() throws Exception {
    SaltCall salt = new SaltCall(root, "master-1");
    StateRun run = salt.apply("kubernetes.etcd.configured", """
        etcd:
          client_on_address: true
        """);

    assertThat(run.exitCode()).as("%s", run).isNotZero();
    assertThat(run.failures()).as("%s", run).singleElement().asString()
        .contains("etcd:client_on_address", "cert_file, key_file and ca_file");
    assertThat(salt.path("etc/kubernetes/manifests")).doesNotExist();
  }

  @Test
  void renderedCommandStartsARealEtcdServingOnItsClientPort() throws Exception {
    // etcd 3.6, which etcd:image defaults to.
    EtcdVersion.V3_6.assumeInstalled();
    int client = FreePorts.one();
    int peer = FreePorts.one();
    SaltCall salt = new SaltCall(root, "master-1");
    StateRun run = salt.apply("kubernetes.etcd.configured", """
        etcd:
          advertise_address: 127.0.0.1
          clusters:
            main: {client_port: %d, peer_port: %d}
        """.formatted(client, peer));
    assertThat(run.succeeded()).as("%s", run).isTrue();

    try (StaticPod etcd = StaticPod.start(salt.path("etc/kubernetes/manifests/etcd.manifest"), EtcdVersion.V3_6,
        root.resolve("etcd.log"))) {
      etcd.awaitHealthy(client);
    }
  }

  @Test
  void kubernetesRunningAppliesEtcdAndTheSnapshotAddonAndASecondApplyChangesNothing() throws Exception {
    SaltCall salt = new SaltCall(root, "master-1");
    String pillar = """
        enable_etcd_snapshot: true
        etcd_snapshot_zone: eu-west-1a
        """;
    StateRun run = salt.apply("kubernetes.running", pillar);
    assertThat(run.succeeded()).as("%s", run).isTrue();
    assertThat(salt.path("etc/kubernetes/manifests")).isDirectoryContaining("glob:**/etcd.manifest")
        .isDirectoryContaining("glob:**/etcd-events.manifest");
    assertThat(salt.path("etc/kubernetes/addons/etcd-snapshot")).isDirectoryContaining("glob:**/cronjob.yaml");

    StateRun again = salt.apply("kubernetes.running", pillar);
    assertThat(again.succeeded()).as("%s", again).isTrue();
    assertThat(again.changed()).as("%s", again).isEmpty();
  }

  /** A database bigger than etcd's 2 GiB default quota needs the flag, or the member refuses writes once it starts. */
  @Test
  void aQuotaFromPillarReachesTheManifestAndANonNumberFailsNamingTheKey() throws Exception {
    SaltCall salt = new SaltCall(root, "master-1");
    StateRun run = salt.apply("kubernetes.etcd.configured", """
        etcd:
          clusters:
            main: {quota_backend_bytes: 8589934592}
        """);
    assertThat(run.succeeded()).as("%s", run).isTrue();
    assertThat(container(salt.path("etc/kubernetes/manifests/etcd.manifest")).getCommand())
        .contains("--quota-backend-bytes=8589934592");
    assertThat(container(salt.path("etc/kubernetes/manifests/etcd-events.manifest")).getCommand())
        .noneMatch(flag -> flag.startsWith("--quota-backend-bytes"));

    SaltCall other = new SaltCall(root.resolve("other"), "master-1");
    StateRun bad = other.apply("kubernetes.etcd.configured", """
        etcd:
          clusters:
            events: {quota_backend_bytes: 8Gi}
        """);
    assertThat(bad.succeeded()).isFalse();
    assertThat(bad.toString()).contains("etcd:clusters:events:quota_backend_bytes \"8Gi\" is not a positive number");
    assertThat(other.path("etc/kubernetes/manifests/etcd.manifest")).doesNotExist();
  }

  @Test
  void aMasterMissingFromEtcdMembersFailsNamingItAndWritesNoManifest() throws Exception {
    SaltCall salt = new SaltCall(root, "master-1");
    StateRun run = salt.apply("kubernetes.etcd.configured", """
        etcd:
          members:
            - {name: master-2, address: 10.0.2.10}
            - {name: master-3, address: 10.0.3.10}
        """);

    assertThat(run.exitCode()).as("%s", run).isNotZero();
    assertThat(run.failures()).as("%s", run).singleElement().asString()
        .contains("etcd:member_name \"master-1\" is not among etcd:members [\"master-2\", \"master-3\"]");
    assertThat(salt.path("etc/kubernetes/manifests")).doesNotExist();
  }

  private static Container container(Path manifest) throws IOException {
    Pod pod = StaticPod.read(manifest);
    assertThat(pod.getSpec().getHostNetwork()).isTrue();
    assertThat(pod.getMetadata().getNamespace()).isEqualTo("kube-system");
    String dataDir = pod.getSpec().getContainers().get(0).getCommand().stream()
        .filter(flag -> flag.startsWith("--data-dir=")).findFirst().orElseThrow().substring("--data-dir=".length());
    assertThat(pod.getSpec().getVolumes()).extracting(Volume::getHostPath).extracting("path").contains(dataDir);
    return pod.getSpec().getContainers().get(0);
  }
}
