package io.etcdsnapshotter.etcd;

import java.net.URI;

/** A member that answered its status call, with the channel bound to it; closing this closes the channel. */
public record EtcdMember(EtcdChannel channel, URI endpoint, long memberId, String version, long dbSize)
    implements AutoCloseable {
  public String memberIdHex() {
    return Long.toHexString(memberId);
  }

  @Override
  public void close() {
    channel.close();
  }
}
