package io.etcdsnapshotter.etcd;

import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.AuthenticateRequest;
import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.config.TlsFiles;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.DefaultSelectStrategyFactory;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.SelectStrategyFactory;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC channel to exactly one member: a snapshot must come from the member we checked, never from whichever
 * endpoint a load balancer would pick. Authenticates once when the cluster has a user.
 */
public final class EtcdChannel implements AutoCloseable {
  private static final Metadata.Key<String> TOKEN = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);
  private final ManagedChannel channel;
  private final EventLoopGroup loop;
  /** How the loop polls when it has a read pace; null without one. */
  private final PacedPoll polls;
  private final Duration dialTimeout;
  private Metadata auth = new Metadata();

  private EtcdChannel(ManagedChannel channel, EventLoopGroup loop, PacedPoll polls, Duration dialTimeout) {
    this.channel = channel;
    this.loop = loop;
    this.polls = polls;
    this.dialTimeout = dialTimeout;
  }

  public static EtcdChannel open(ClusterConfig cluster, URI endpoint, Duration dialTimeout) throws IOException {
    return open(cluster, endpoint, dialTimeout, Duration.ZERO);
  }

  /**
   * A channel whose loop polls its socket at most once per {@code readPace} (zero: at every message), for a stream
   * of small messages whose delivery may wait that long; see {@link PacedPoll}.
   */
  public static EtcdChannel open(ClusterConfig cluster, URI endpoint, Duration dialTimeout, Duration readPace)
      throws IOException {
    // Callbacks run on the event loop: the blocking stubs' only hand messages over, and the snapshot stream's
    // handles each of its tens of thousands of chunks where it arrives. A fixed 4 MiB window keeps etcd sending
    // without the pings of grpc-java's window tuning.
    PacedPoll polls = readPace.isZero() ? null : new PacedPoll(readPace);
    EventLoopGroup loop = eventLoop(polls);
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(endpoint.getHost(), endpoint.getPort())
        .eventLoopGroup(loop)
        .channelType(loop instanceof EpollEventLoopGroup ? EpollSocketChannel.class : NioSocketChannel.class)
        .maxInboundMessageSize(64 * 1024 * 1024)
        .directExecutor()
        .flowControlWindow(4 * 1024 * 1024)
        .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) dialTimeout.toMillis());
    if ("https".equalsIgnoreCase(endpoint.getScheme())) {
      builder.sslContext(tls(cluster.tls()).build());
    } else {
      builder.usePlaintext();
    }
    EtcdChannel channel = new EtcdChannel(builder.build(), loop, polls, dialTimeout);
    if (cluster.user() != null) {
      channel.authenticate(cluster.user(), password(cluster));
    }
    return channel;
  }

  /**
   * A loop of the channel's own, ended with it. grpc-java's shared one outlives the last channel by a second, and
   * a JVM that exits while a thread waits in epoll gives that thread 0.3 s first: every run paid it at its end.
   */
  private static EventLoopGroup eventLoop(PacedPoll paced) {
    DefaultThreadFactory threads = new DefaultThreadFactory("etcd-channel", true);
    SelectStrategyFactory polls = paced == null ? DefaultSelectStrategyFactory.INSTANCE : () -> paced;
    return Epoll.isAvailable() ? new EpollEventLoopGroup(1, threads, polls)
        : new NioEventLoopGroup(1, threads, SelectorProvider.provider(), polls);
  }

  /**
   * Whether reads wait out the read pace the channel was opened with: a reader that finds itself behind its stream
   * turns it off to read the backlog at once, and on again once it has caught up.
   */
  public void readPaced(boolean paced) {
    if (polls != null) {
      polls.paced(paced);
    }
  }

  /** A maintenance stub carrying the auth token, if any; callers set their own deadline. */
  public MaintenanceGrpc.MaintenanceBlockingStub maintenance() {
    return MaintenanceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
  }

  /** The same, for calls whose messages are handled as they arrive, on the channel's own thread. */
  public MaintenanceGrpc.MaintenanceStub maintenanceAsync() {
    return MaintenanceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
  }

  /** The channel's own thread, which runs every callback: what a paced stream schedules its next read on. */
  public ScheduledExecutorService timer() {
    return loop;
  }

  /** A cluster (membership) stub carrying the auth token, if any; callers set their own deadline. */
  public ClusterGrpc.ClusterBlockingStub cluster() {
    return ClusterGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
  }

  /** A key-value stub carrying the auth token, if any; callers set their own deadline. */
  public KVGrpc.KVBlockingStub kv() {
    return KVGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
  }

  /** A lease stub carrying the auth token, if any; callers set their own deadline. */
  public LeaseGrpc.LeaseBlockingStub lease() {
    return LeaseGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
  }

  /** A watch stub carrying the auth token, if any; its stream's messages are handled on the channel's thread. */
  public WatchGrpc.WatchStub watch() {
    return WatchGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
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
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}
