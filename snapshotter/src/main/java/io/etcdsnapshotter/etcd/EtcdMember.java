package io.etcdsnapshotter.etcd;

import java.net.URI;

/**
 * A member that answered its status call, with the channel bound to it; closing this closes the channel. The
 * cluster ID is the one in the status response's header: what tells one etcd cluster from another.
 */
public record EtcdMember(EtcdChannel channel, URI endpoint, long memberId, long clusterId, String version,
    long dbSize) implements AutoCloseable {
  public String memberIdHex() {
    return Long.toHexString(memberId);
  }

  public String clusterIdHex() {
    return Long.toHexString(clusterId);
  }

  @Override
  public void close() {
    channel.close();
  }
}
