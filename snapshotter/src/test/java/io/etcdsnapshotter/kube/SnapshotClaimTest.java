package io.etcdsnapshotter.kube;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdsnapshotter.testing.FreePorts;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * What the claim does against a real API server (finding the EBS volume through each PV shape, a missing or unbound
 * claim, annotations, Events) is tested end to end, by the jar running with the addon's ServiceAccount:
 * test/.../e2e/aws/PublishTest. Here only what needs no server.
 */
class SnapshotClaimTest {
  /** No server at all: a loopback port nothing listens on refuses at once, which no running server can be made to. */
  @Test
  void saysWhenTheApiServerCannotBeReached() throws IOException {
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
            .withMasterUrl("http://127.0.0.1:" + FreePorts.one()).withRequestRetryBackoffLimit(0).build()).build();
        SnapshotClaim claim = new SnapshotClaim(client, "kube-system", "any")) {
      assertThatThrownBy(claim::ebsVolumeId)
          .isInstanceOf(KubeException.class)
          .hasMessageStartingWith("Kubernetes: cannot read PVC kube-system/any: ")
          .hasMessageContaining("check KUBECONFIG or the pod's ServiceAccount");
    }
  }
}
