package io.etcdsnapshotter.e2e.aws;

import io.etcdsnapshotter.aws.MotoServer;
import io.etcdsnapshotter.e2e.kube.AddonPass;
import io.etcdsnapshotter.e2e.kube.KubeApiServer;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.salt.RenderedAddon;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The etcd-snapshot addon as salt-call renders it into one namespace (pillar {@code etcd_snapshot:namespace}),
 * installed on a real API server as the addon manager installs it: what the CronJob's pod meets. Its Role lets the
 * ServiceAccount touch only the claim named {@link #PVC}, so each scenario that needs a claim of its own gets a
 * namespace of its own. The ClusterRoleBinding that lets it read PVs is cluster-wide with one subject: the
 * namespace installed last holds it.
 */
final class AddonNamespace {
  static final String PVC = "kube-etcd-snapshot-pvc";
  private static final String ACCOUNT = "etcd-snapshot";
  private static final Duration BINDING = Duration.ofSeconds(60);

  private final KubeApiServer server;
  private final KubernetesClient admin;
  private final String namespace;

  private AddonNamespace(KubeApiServer server, KubernetesClient admin, String namespace) {
    this.server = server;
    this.admin = admin;
    this.namespace = namespace;
  }

  /** Renders the addon for {@code namespace} under {@code work}, creates the namespace unless it exists, applies it. */
  static AddonNamespace install(KubeApiServer server, KubernetesClient admin, Path work, String namespace) {
    AddonNamespace addon = new AddonNamespace(server, admin, namespace);
    AddonPass.apply(server, addon.render(work));
    return addon;
  }

  /**
   * As {@link #install}, with the claim on EBS volume {@code volumeId}: a PV of {@code shape} pre-bound to the claim
   * before the addon creates it, as an operator hands over an existing volume. Returns once kube-controller-manager
   * has bound the claim (at once: it binds a new claim to the PV waiting for it, where a PV added later would wait
   * for its periodic resync).
   */
  static AddonNamespace installOn(KubeApiServer server, KubernetesClient admin, Path work, String namespace,
      EbsVolumeShape shape, String volumeId) {
    AddonNamespace addon = new AddonNamespace(server, admin, namespace);
    Path dir = addon.render(work);
    String storageClass;
    try (InputStream pvc = Files.newInputStream(dir.resolve("pvc.yaml"))) {
      storageClass = admin.persistentVolumeClaims().load(pvc).item().getSpec().getStorageClassName();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    admin.resource(shape.describe(new PersistentVolumeBuilder()
        .withNewMetadata().withName("etcd-snapshot-" + namespace).endMetadata()
        .withNewSpec().addToCapacity("storage", new Quantity("1Gi")).withAccessModes("ReadWriteOnce")
            .withStorageClassName(storageClass)
            .withNewClaimRef().withNamespace(namespace).withName(PVC).endClaimRef().endSpec(), volumeId)
        .build()).create();
    AddonPass.apply(server, dir);
    Polling.await("kube-controller-manager binds PVC " + namespace + "/" + PVC, BINDING,
        () -> "Bound".equals(addon.claim().getStatus().getPhase()), addon::describe);
    return addon;
  }

  String namespace() {
    return namespace;
  }

  /** Deletes the claim, as an operator might by mistake; returns once it is gone. */
  void deleteClaim() {
    server.kubectl("delete", "pvc", PVC, "--namespace", namespace, "--wait=true").orThrow();
  }

  /** A kubeconfig with a token of the addon's ServiceAccount, for the jar's KUBECONFIG: the pod's credentials. */
  Path kubeconfig() {
    return server.serviceAccountKubeconfig(namespace, ACCOUNT);
  }

  Map<String, String> annotations() {
    return claim().getMetadata().getAnnotations();
  }

  /** The Events the jar wrote about the claim, not the controllers'. */
  List<Event> events() {
    return admin.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> PVC.equals(e.getInvolvedObject().getName()))
        .filter(e -> "etcd-snapshotter".equals(e.getSource().getComponent())).toList();
  }

  /** What the operator sees: {@code kubectl describe pvc}, as the admin. */
  String describe() {
    return server.kubectl("describe", "pvc", PVC, "--namespace", namespace).orThrow().stdout();
  }

  /**
   * Creates the namespace unless it exists (kube-system does) and renders the addon into it, with its StorageClass
   * (gp2, WaitForFirstConsumer, as on EKS): a claim without a PV waits for one instead of failing to provision.
   */
  private Path render(Path work) {
    if (admin.namespaces().withName(namespace).get() == null) {
      server.kubectl("create", "namespace", namespace).orThrow();
    }
    try {
      return RenderedAddon.render(Files.createDirectories(work.resolve("addon-" + namespace)), """
          enable_etcd_snapshot: true
          etcd_snapshot_hostname: m1
          enable_default_storage_class: true
          cluster_name: prod
          etcd_snapshot:
            namespace: %s
            record_on_pvc: true
            aws:
              enabled: true
              region: %s
          """.formatted(namespace, MotoServer.REGION));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private PersistentVolumeClaim claim() {
    return admin.persistentVolumeClaims().inNamespace(namespace).withName(PVC).get();
  }
}
