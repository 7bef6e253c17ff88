package io.etcdsnapshotter.etcd;

import io.etcd.jetcd.Client;
import java.net.URI;

/** A member that answered its status call, with the client bound to it; closing this closes the client. */
public record EtcdMember(Client client, URI endpoint, long memberId, String version, long dbSize)
    implements AutoCloseable {
  public String memberIdHex() {
    return Long.toHexString(memberId);
  }

  @Override
  public void close() {
    client.close();
  }
}
