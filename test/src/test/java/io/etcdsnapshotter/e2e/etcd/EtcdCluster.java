package io.etcdsnapshotter.e2e.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcdsnapshotter.e2e.fs.TempDirectory;
import io.etcdsnapshotter.e2e.tls.TestCertificates;
import io.etcdsnapshotter.e2e.tls.TlsMaterial;
import io.etcdsnapshotter.testing.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;

/**
 * Real etcd server processes on free loopback ports, with their data in a temporary directory. Always close it:
 * close() kills every member and deletes the data (and a JVM shutdown hook kills members a crashed test leaked).
 */
public final class EtcdCluster implements AutoCloseable {
  /** A user holding the root role, which etcd demands for snapshots; the tool under test logs in as this user. */
  public static final String USER = "backup";
  public static final String PASSWORD = "backup-secret";
  private static final String ROOT_PASSWORD = "root-secret";
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final int PORT_ATTEMPTS = 3;

  private final EtcdVersion version;
  private final Security security;
  private final TempDirectory dir;
  private final TlsMaterial tls;
  private final List<EtcdMember> members;
  private boolean authEnabled;

  private EtcdCluster(EtcdVersion version, Security security, TempDirectory dir, TlsMaterial tls,
      List<EtcdMember> members) {
    this.version = version;
    this.security = security;
    this.dir = dir;
    this.tls = tls;
    this.members = members;
  }

  /** Starts {@code size} members and waits until each is healthy; skips the test if the release is missing. */
  public static EtcdCluster start(EtcdVersion version, int size, Security security) {
    return start(version, size, security, List.of());
  }

  /** As {@link #start(EtcdVersion, int, Security)}, with {@code serverFlags} added to every member's command. */
  public static EtcdCluster start(EtcdVersion version, int size, Security security, List<String> serverFlags) {
    version.assumeInstalled();
    TempDirectory dir = TempDirectory.create("e2e-etcd-" + version.name() + "-");
    TlsMaterial tls = security == Security.TLS ? TestCertificates.generate(dir.path()) : null;
    for (int attempt = 1; ; attempt++) {
      Path attemptDir = dir.resolve("attempt-" + attempt);
      EtcdCluster cluster = new EtcdCluster(version, security, dir, tls,
          newMembers(version, size, tls, serverFlags, attemptDir));
      try {
        cluster.members.forEach(EtcdMember::start);
        cluster.awaitHealthy(cluster.members);
        if (security == Security.AUTH) {
          cluster.enableAuth();
        }
        return cluster;
      } catch (PortTakenException e) {
        cluster.members.forEach(EtcdMember::kill);
        if (attempt == PORT_ATTEMPTS) {
          cluster.close();
          throw new IllegalStateException("ports kept being taken by other processes", e);
        }
      } catch (RuntimeException | Error e) {
        cluster.close();
        throw e;
      }
    }
  }

  public EtcdVersion version() {
    return version;
  }

  public Security security() {
    return security;
  }

  /** The PEM files clients need for a {@link Security#TLS} cluster; null for the others. */
  public TlsMaterial tls() {
    return tls;
  }

  public List<EtcdMember> members() {
    return members;
  }

  public EtcdMember member(int index) {
    return members.get(index);
  }

  /** Every member's client URL, comma-separated, in member order: the form of etcdctl's --endpoints. */
  public String endpoints() {
    return members.stream().map(m -> m.clientUrl().toString()).collect(Collectors.joining(","));
  }

  /** etcdctl against every member, logged in as root once authentication is enabled. */
  public Etcdctl etcdctl() {
    return etcdctl(members);
  }

  public Etcdctl etcdctl(EtcdMember member) {
    return etcdctl(List.of(member));
  }

  /** Writes {@link #PASSWORD} to a file, as an operator would hand it to the tool. */
  public static Path writePasswordFile(Path file) {
    try {
      return Files.writeString(file, PASSWORD + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An in-process client (jetcd) for seeding data fast; the caller closes it. */
  public Client client() {
    ClientBuilder builder = Client.builder().endpoints(members.stream().map(EtcdMember::clientUrl)
        .toArray(URI[]::new));
    if (tls != null) {
      try {
        builder.sslContext(ssl -> ssl.trustManager(tls.caCert().toFile())
            .keyManager(tls.clientCert().toFile(), tls.clientKey().toFile()));
      } catch (SSLException e) {
        throw new IllegalStateException("cannot load the test certificates", e);
      }
    }
    if (authEnabled) {
      builder.user(ByteSequence.from("root", StandardCharsets.UTF_8))
          .password(ByteSequence.from(ROOT_PASSWORD, StandardCharsets.UTF_8));
    }
    return builder.build();
  }

  /** Starts a stopped or killed member again on its old ports and data, and waits until it is healthy. */
  public void restart(EtcdMember member) {
    member.kill();
    member.start();
    awaitHealthy(List.of(member));
  }

  @Override
  public void close() {
    members.forEach(EtcdMember::kill);
    dir.close();
  }

  private Etcdctl etcdctl(List<EtcdMember> targets) {
    List<URI> urls = targets.stream().map(EtcdMember::clientUrl).toList();
    return new Etcdctl(version, urls, tls, authEnabled ? "root:" + ROOT_PASSWORD : null);
  }

  private static List<EtcdMember> newMembers(EtcdVersion version, int size, TlsMaterial tls, List<String> serverFlags,
      Path dir) {
    List<Integer> ports = FreePorts.allocate(2 * size);
    String scheme = tls == null ? "http" : "https";
    List<String> names = new ArrayList<>();
    List<URI> peers = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      names.add("m" + i);
      peers.add(URI.create("http://127.0.0.1:" + ports.get(2 * i + 1)));
    }
    List<String> flags = new ArrayList<>(List.of(
        "--initial-cluster", initialCluster(names, peers),
        "--initial-cluster-token", "e2e-" + dir.getParent().getFileName(),
        "--initial-cluster-state", "new"));
    if (tls != null) {
      flags.addAll(List.of("--cert-file", tls.serverCert().toString(), "--key-file", tls.serverKey().toString(),
          "--trusted-ca-file", tls.caCert().toString(), "--client-cert-auth"));
    }
    flags.addAll(serverFlags);
    List<EtcdMember> members = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      Path memberDir = createDir(dir.resolve(names.get(i)));
      URI client = URI.create(scheme + "://127.0.0.1:" + ports.get(2 * i));
      members.add(new EtcdMember(names.get(i), version, memberDir, client, peers.get(i), flags));
    }
    return members;
  }

  private static String initialCluster(List<String> names, List<URI> peers) {
    List<String> entries = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      entries.add(names.get(i) + "=" + peers.get(i));
    }
    return String.join(",", entries);
  }

  /** Waits for each member in turn, all within one {@link #STARTUP}. */
  private void awaitHealthy(List<EtcdMember> targets) {
    Instant deadline = Instant.now().plus(STARTUP);
    for (EtcdMember member : targets) {
      etcdctl(member).awaitHealthy(Duration.between(Instant.now(), deadline), member::isRunning, member::logTail);
    }
  }

  private void enableAuth() {
    Etcdctl root = etcdctl();
    root.ok("user", "add", "root:" + ROOT_PASSWORD);
    root.ok("user", "add", USER + ":" + PASSWORD);
    root.ok("user", "grant-role", USER, "root");
    root.ok("auth", "enable");
    authEnabled = true;
  }

  private static Path createDir(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
