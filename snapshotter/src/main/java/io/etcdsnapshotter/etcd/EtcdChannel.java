package io.etcdsnapshotter.etcd;

import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.AuthenticateRequest;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.config.TlsFiles;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC channel to exactly one member: a snapshot must come from the member we checked, never from whichever
 * endpoint a load balancer would pick. Authenticates once when the cluster has a user.
 */
public final class EtcdChannel implements AutoCloseable {
  private static final Metadata.Key<String> TOKEN = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);
  private final ManagedChannel channel;
  private final Duration dialTimeout;
  private Metadata auth = new Metadata();

  private EtcdChannel(ManagedChannel channel, Duration dialTimeout) {
    this.channel = channel;
    this.dialTimeout = dialTimeout;
  }

  public static EtcdChannel open(ClusterConfig cluster, URI endpoint, Duration dialTimeout) throws IOException {
    // Every call here is a blocking stub's, whose callbacks only hand messages over, so they can run on the
    // event loop instead of hopping threads for each of a snapshot's tens of thousands of chunks. A fixed 4 MiB
    // window keeps etcd sending without the pings of grpc-java's window tuning.
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(endpoint.getHost(), endpoint.getPort())
        .maxInboundMessageSize(64 * 1024 * 1024)
        .directExecutor()
        .flowControlWindow(4 * 1024 * 1024)
        .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) dialTimeout.toMillis());
    if ("https".equalsIgnoreCase(endpoint.getScheme())) {
      builder.sslContext(tls(cluster.tls()).build());
    } else {
      builder.usePlaintext();
    }
    EtcdChannel channel = new EtcdChannel(builder.build(), dialTimeout);
    if (cluster.user() != null) {
      channel.authenticate(cluster.user(), password(cluster));
    }
    return channel;
  }

  /** A maintenance stub carrying the auth token, if any; callers set their own deadline. */
  public MaintenanceGrpc.MaintenanceBlockingStub maintenance() {
    return MaintenanceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
  }

  /** The same, for calls whose messages are handled as they arrive, on the channel's own thread. */
  public MaintenanceGrpc.MaintenanceStub maintenanceAsync() {
    return MaintenanceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
  }

  private void authenticate(String user, String password) {
    String token = AuthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(dialTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .authenticate(AuthenticateRequest.newBuilder().setName(user).setPassword(password).build())
        .getToken();
    auth = new Metadata();
    auth.put(TOKEN, token);
  }

  private static SslContextBuilder tls(TlsFiles files) throws IOException {
    SslContextBuilder tls = GrpcSslContexts.forClient();
    if (files.cacert() != null) {
      tls.trustManager(PemFiles.certificates(files.cacert()));
    }
    if (files.clientCertificate()) {
      tls.keyManager(PemFiles.privateKey(files.key()), PemFiles.certificates(files.cert()));
    }
    return tls;
  }

  /** etcd passwords end at the line: a trailing newline in the file is an editor's, not the password's. */
  private static String password(ClusterConfig cluster) throws IOException {
    String text = Files.readString(cluster.passwordFile(), StandardCharsets.UTF_8);
    return text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
        : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
