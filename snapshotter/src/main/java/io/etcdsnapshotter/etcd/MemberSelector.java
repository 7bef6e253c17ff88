package io.etcdsnapshotter.etcd;

import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
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
    return firstHealthy(cluster, dialTimeout, Duration.ZERO);
  }

  /** The same, its channel polling at most once per {@code readPace}: see {@link EtcdChannel#open}. */
  public static EtcdMember firstHealthy(ClusterConfig cluster, Duration dialTimeout, Duration readPace)
      throws IOException {
    List<String> failures = new ArrayList<>();
    for (URI endpoint : cluster.endpoints()) {
      try {
        EtcdMember member = probe(cluster, endpoint, dialTimeout, readPace);
        if (member != null) {
          return member;
        }
        failures.add(endpoint + ": member reports an error");
      } catch (IOException | RuntimeException e) {
        failures.add(endpoint + ": " + FailureCause.describeAt(endpoint, e, dialTimeout));
      }
      LOG.warn("cluster {}: skipping {}", cluster.name(), failures.get(failures.size() - 1));
    }
    throw new IOException("no healthy endpoint (" + String.join(", ", failures) + ")");
  }

  private static EtcdMember probe(ClusterConfig cluster, URI endpoint, Duration dialTimeout, Duration readPace)
      throws IOException {
    EtcdChannel channel = EtcdChannel.open(cluster, endpoint, dialTimeout, readPace);
    try {
      StatusResponse status = channel.maintenance()
          .withDeadlineAfter(dialTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .status(StatusRequest.getDefaultInstance());
      if (status.getErrorsCount() == 0) {
        return new EtcdMember(channel, endpoint, status.getHeader().getMemberId(), status.getHeader().getClusterId(),
            status.getVersion(), status.getDbSize());
      }
      LOG.warn("cluster {}: {} reports {}", cluster.name(), endpoint, status.getErrorsList());
    } catch (RuntimeException e) {
      channel.close();
      throw e;
    }
    channel.close();
    return null;
  }
}
