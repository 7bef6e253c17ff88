package io.etcdsnapshotter.e2e.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Loopback ports the kernel just handed out. They are free when returned but not reserved: another process may
 * take one before etcd binds it, which {@link EtcdCluster} detects and answers with fresh ports.
 */
public final class FreePorts {
  private FreePorts() {}

  public static int one() {
    return allocate(1).get(0);
  }

  public static List<Integer> allocate(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      // All held open at once, so the kernel cannot hand out the same port twice.
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find free loopback ports", e);
    } finally {
      sockets.forEach(FreePorts::closeQuietly);
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // the port is released either way once this process no longer holds the socket
    }
  }
}
