package io.etcdsnapshotter.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.etcdsnapshotter.config.ClusterConfig;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the first endpoint of a cluster, in the configured order, whose member answers and reports no error. */
public final class MemberSelector {
  private static final Logger LOG = LoggerFactory.getLogger(MemberSelector.class);

  private MemberSelector() {}

  public static EtcdMember firstHealthy(ClusterConfig cluster, Duration dialTimeout) throws IOException {
    List<String> failures = new ArrayList<>();
    for (URI endpoint : cluster.endpoints()) {
      Client client = EtcdConnection.open(cluster, endpoint, dialTimeout);
      try {
        StatusResponse status = client.getMaintenanceClient().statusMember(endpoint.toString())
            .get(dialTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (status.getErrorList().isEmpty()) {
          return new EtcdMember(client, endpoint, status.getHeader().getMemberId(), status.getVersion(),
              status.getDbSize());
        }
        failures.add(endpoint + ": member reports " + String.join("; ", status.getErrorList()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        client.close();
        throw new IOException("interrupted while probing " + endpoint, e);
      } catch (Exception e) {
        failures.add(endpoint + ": " + FailureCause.describe(e));
      }
      LOG.warn("cluster {}: skipping {}", cluster.name(), failures.get(failures.size() - 1));
      client.close();
    }
    throw new IOException("no healthy endpoint (" + String.join(", ", failures) + ")");
  }
}
