package io.etcdsnapshotter.health;

import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.etcd.EtcdChannel;
import io.etcdsnapshotter.etcd.FailureCause;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One endpoint's answer to its status call: the channel (kept open for the hash and membership calls that follow)
 * and the status, or why it could not be reached. Closing it closes the channel.
 */
public record Probe(URI endpoint, EtcdChannel channel, StatusResponse status, String failure) implements AutoCloseable {
  /** A client URL a member advertises: one that is not a URL is a failure of that member, not of the check. */
  public static Probe of(ClusterConfig cluster, String advertised, Duration dialTimeout) {
    URI endpoint;
    try {
      endpoint = new URI(advertised);
    } catch (URISyntaxException e) {
      return new Probe(null, null, null, "advertises a client URL that is not one: " + advertised);
    }
    return of(cluster, endpoint, dialTimeout);
  }

  public static Probe of(ClusterConfig cluster, URI endpoint, Duration dialTimeout) {
    EtcdChannel channel = null;
    try {
      channel = EtcdChannel.open(cluster, endpoint, dialTimeout);
      StatusResponse status = channel.maintenance()
          .withDeadlineAfter(dialTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .status(StatusRequest.getDefaultInstance());
      return new Probe(endpoint, channel, status, null);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      return new Probe(endpoint, null, null, FailureCause.describeAt(endpoint, e, dialTimeout));
    }
  }

  /** An endpoint that answered, but not as the member it stands for: {@code why} says so. */
  static Probe failed(URI endpoint, String why) {
    return new Probe(endpoint, null, null, why);
  }

  public boolean reached() {
    return status != null;
  }

  /** Reached and reporting no error (such as "no leader"): a member that counts towards quorum. */
  public boolean healthy() {
    return reached() && status.getErrorsCount() == 0;
  }

  public long memberId() {
    return status.getHeader().getMemberId();
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close();
    }
  }
}
