package io.etcdsnapshotter.kube;

import io.etcdsnapshotter.OneLine;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The PVC of the snapshot volume: where its EBS volume is, and where each run is recorded for
 * {@code kubectl describe pvc} (annotations for the newest state, an Event per run).
 */
public final class SnapshotClaim implements AutoCloseable {
  private static final String COMPONENT = "etcd-snapshotter";
  private final KubernetesClient client;
  private final String namespace;
  private final String name;

  public SnapshotClaim(KubernetesClient client, String namespace, String name) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
  }

  /** Through the in-cluster ServiceAccount, or KUBECONFIG / ~/.kube/config outside a pod (fabric8's own order). */
  public static SnapshotClaim connect(String namespace, String name) {
    try {
      // A few quick retries, not fabric8's ten: a CronJob run should fail in seconds when the API is away.
      Config config = new ConfigBuilder(Config.autoConfigure(null)).withRequestRetryBackoffLimit(2).build();
      return new SnapshotClaim(new KubernetesClientBuilder().withConfig(config).build(), namespace, name);
    } catch (KubernetesClientException e) {
      throw new KubeException("Kubernetes: cannot load the client configuration: " + reason(e), e);
    }
  }

  public String ebsVolumeId() {
    PersistentVolumeClaim pvc = claim();
    String volumeName = pvc.getSpec().getVolumeName();
    if (volumeName == null || volumeName.isBlank()) {
      throw new KubeException("PVC " + where() + " is not bound to a PV yet: check its StorageClass and events");
    }
    PersistentVolume pv = call("read PV " + volumeName,
        () -> client.persistentVolumes().withName(volumeName).get());
    if (pv == null) {
      throw new KubeException("PV " + volumeName + " of PVC " + where() + " does not exist");
    }
    return EbsVolumeIds.of(pv);
  }

  public void annotate(Map<String, String> annotations) {
    claim();
    call("annotate PVC " + where(), () -> client.persistentVolumeClaims().inNamespace(namespace).withName(name)
        .edit(pvc -> {
          if (pvc.getMetadata().getAnnotations() == null) {
            pvc.getMetadata().setAnnotations(new LinkedHashMap<>());
          }
          pvc.getMetadata().getAnnotations().putAll(annotations);
          return pvc;
        }));
  }

  /** One Event on the PVC, Normal or Warning, as kubelet and controllers write them. */
  public void event(boolean warning, String reason, String message) {
    PersistentVolumeClaim pvc = claim();
    Instant now = Instant.now();
    call("create an Event on PVC " + where(), () -> client.v1().events().inNamespace(namespace).resource(
        new EventBuilder()
            .withNewMetadata().withName(eventName(now)).withNamespace(namespace).endMetadata()
            .withNewInvolvedObject().withApiVersion("v1").withKind("PersistentVolumeClaim")
                .withNamespace(namespace).withName(name).withUid(pvc.getMetadata().getUid()).endInvolvedObject()
            .withType(warning ? "Warning" : "Normal").withReason(reason).withMessage(message)
            .withNewSource().withComponent(COMPONENT).endSource()
            .withReportingComponent(COMPONENT)
            .withFirstTimestamp(now.toString()).withLastTimestamp(now.toString()).withCount(1)
            .build()).create());
  }

  /** As kubectl and kubelet name theirs: the object's name and a hex timestamp in nanoseconds. */
  private String eventName(Instant at) {
    return name + "." + Long.toHexString(at.getEpochSecond() * 1_000_000_000L + at.getNano());
  }

  private PersistentVolumeClaim claim() {
    PersistentVolumeClaim pvc = call("read PVC " + where(),
        () -> client.persistentVolumeClaims().inNamespace(namespace).withName(name).get());
    if (pvc == null) {
      throw new KubeException("PVC " + where() + " does not exist: check kubernetes.namespace and kubernetes.pvc");
    }
    return pvc;
  }

  private String where() {
    return namespace + "/" + name;
  }

  private static <T> T call(String action, Supplier<T> request) {
    try {
      return request.get();
    } catch (KubernetesClientException e) {
      throw new KubeException("Kubernetes: cannot " + action + ": " + reason(e), e);
    }
  }

  /** fabric8's own messages span lines and repeat the URL; the status code and the API's reason are what helps. */
  private static String reason(KubernetesClientException e) {
    if (e.getCode() > 0) {
      String message = e.getStatus() == null ? null : e.getStatus().getMessage();
      return "HTTP " + e.getCode() + (message == null ? "" : " " + message);
    }
    return OneLine.rootMessage(e) + " (is the API server reachable? check KUBECONFIG or the pod's ServiceAccount)";
  }

  @Override
  public void close() {
    client.close();
  }
}
