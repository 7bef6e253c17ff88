package io.etcdsnapshotter.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.config.TlsFiles;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;

/**
 * A client bound to exactly one member: a snapshot must come from the member we checked, never from whichever
 * endpoint a load balancer would pick.
 */
public final class EtcdConnection {
  private EtcdConnection() {}

  public static Client open(ClusterConfig cluster, URI endpoint, Duration dialTimeout) throws IOException {
    ClientBuilder builder = Client.builder()
        .endpoints(endpoint)
        .connectTimeout(dialTimeout)
        .waitForReady(false)
        .retryMaxAttempts(0)
        .maxInboundMessageSize(64 * 1024 * 1024);
    if ("https".equalsIgnoreCase(endpoint.getScheme())) {
      builder.sslContext(tls -> configureTls(tls, cluster.tls()));
    }
    if (cluster.user() != null) {
      builder.user(bytes(cluster.user())).password(bytes(password(cluster)));
    }
    return builder.build();
  }

  private static void configureTls(SslContextBuilder tls, TlsFiles files) {
    try {
      if (files.cacert() != null) {
        tls.trustManager(PemFiles.certificates(files.cacert()));
      }
      if (files.clientCertificate()) {
        tls.keyManager(PemFiles.privateKey(files.key()), PemFiles.certificates(files.cert()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** etcd passwords end at the line: a trailing newline in the file is an editor's, not the password's. */
  private static String password(ClusterConfig cluster) throws IOException {
    String text = Files.readString(cluster.passwordFile(), StandardCharsets.UTF_8);
    return text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
        : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
