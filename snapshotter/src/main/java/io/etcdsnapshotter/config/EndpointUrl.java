package io.etcdsnapshotter.config;

import java.net.URI;
import java.net.URISyntaxException;

/** An etcd client URL as etcdctl accepts it: http or https, a host and a port, nothing else. */
final class EndpointUrl {
  private EndpointUrl() {}

  static URI parse(String cluster, String text) {
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
      boolean bare = uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/");
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getPort() > 0 && bare) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below with the form the URL should have
    }
    throw new ConfigException("cluster " + cluster + ": endpoint '" + text
        + "' must be http(s)://HOST:PORT, e.g. https://127.0.0.1:2379");
  }
}
