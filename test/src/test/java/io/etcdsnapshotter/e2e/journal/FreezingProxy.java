package io.etcdsnapshotter.e2e.journal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on a free loopback port whose connections can be frozen: they stay open but pass nothing more, as a
 * connection does when the network between drops its packets (a half-open connection, which TCP notices only after
 * hours). Connections made after a freeze pass bytes as usual. It can also be sent to another etcd, as the same
 * address serves a rebuilt or restored cluster.
 */
final class FreezingProxy implements AutoCloseable {
  private final ServerSocket server;
  private volatile InetSocketAddress target;
  private final List<Link> links = new CopyOnWriteArrayList<>();

  private FreezingProxy(InetSocketAddress target) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.target = target;
    Thread accept = new Thread(this::accept, "freezing-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  static FreezingProxy to(URI endpoint) throws IOException {
    return new FreezingProxy(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()));
  }

  String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Closes every connection open now; new ones go to {@code endpoint}. */
  void switchTo(URI endpoint) throws IOException {
    target = new InetSocketAddress(endpoint.getHost(), endpoint.getPort());
    for (Link link : links) {
      link.client.close();
      link.upstream.close();
    }
    links.clear();
  }

  /** Every connection open now passes nothing more, and is never closed until the proxy is. */
  void freeze() {
    links.forEach(link -> link.frozen = true);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        InetSocketAddress to = target;
        Socket upstream = new Socket(to.getAddress(), to.getPort());
        Link link = new Link(client, upstream);
        links.add(link);
        pump(link, client, upstream);
        pump(link, upstream, client);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void pump(Link link, Socket from, Socket to) throws IOException {
    InputStream in = from.getInputStream();
    OutputStream out = to.getOutputStream();
    Thread pump = new Thread(() -> {
      byte[] buffer = new byte[16 << 10];
      try {
        for (int n = in.read(buffer); n >= 0 && !link.frozen; n = in.read(buffer)) {
          out.write(buffer, 0, n);
        }
      } catch (IOException e) {
        // the link closed
      }
    }, "freezing-proxy-pump");
    pump.setDaemon(true);
    pump.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Link link : links) {
      link.client.close();
      link.upstream.close();
    }
  }

  private static final class Link {
    final Socket client;
    final Socket upstream;
    volatile boolean frozen;

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }
  }
}
