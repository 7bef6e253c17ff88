package io.etcdsnapshotter.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Loopback ports the kernel just handed out, for every server a test starts (etcd, moto, a Pushgateway, Salt's own
 * configs). They are free when returned but not reserved until the server binds them, which may be much later (a
 * Salt state starts etcd long after its pillar named the ports), and the kernel may hand a port it has just let go of
 * out again: so no port is handed out twice in one test JVM, or moto could take the port meant for a Salt-started
 * etcd, and the test's etcd client would talk to moto. Another process may still take one first, which the fixtures
 * detect and answer with fresh ports.
 */
public final class FreePorts {
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePorts() {}

  public static int one() {
    return allocate(1).get(0);
  }

  public static synchronized List<Integer> allocate(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      // All held open at once, so the kernel cannot hand out the same port twice within one call.
      List<Integer> ports = new ArrayList<>();
      while (ports.size() < count) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(socket);
        if (HANDED_OUT.add(socket.getLocalPort())) {
          ports.add(socket.getLocalPort());
        }
      }
      return ports;
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
