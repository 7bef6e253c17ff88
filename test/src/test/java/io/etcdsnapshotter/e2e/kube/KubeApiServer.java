package io.etcdsnapshotter.e2e.kube;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.PortTakenException;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.fs.TempDirectory;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.Processes;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import io.etcdsnapshotter.e2e.tls.ApiServerTls;
import io.etcdsnapshotter.e2e.tls.TestCertificates;
import io.etcdsnapshotter.e2e.tls.TlsMaterial;
import io.etcdsnapshotter.testing.FreePorts;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A real kube-apiserver (built by scripts/kube/build; scripts/setup prints its directory as KUBE_BIN) on a free
 * loopback port, serving TLS, authorizing with RBAC and signing service-account tokens, and storing into a real
 * etcd 3.6 over TLS. Always close it: close() kills the server and etcd and deletes their data, and the process
 * reaper kills what a crashed test leaked. Without {@link #startWithControllerManager()} no controller runs: nothing
 * turns a CronJob into Jobs or binds a PVC.
 */
public final class KubeApiServer implements AutoCloseable {
  private static final String BIN_VARIABLE = "KUBE_BIN";
  private static final Duration STARTUP = Duration.ofSeconds(120);
  private static final Duration KUBECTL_TIMEOUT = Duration.ofSeconds(60);
  private static final int PORT_ATTEMPTS = 3;

  private final Path bin;
  private final EtcdCluster etcd;
  private final TempDirectory dir;
  private final Endpoint endpoint;
  private final Path kubeconfig;
  private RunningProcess process;
  private RunningProcess controllerManager;

  private KubeApiServer(Path bin, EtcdCluster etcd, TempDirectory dir, Endpoint endpoint, ApiServerTls tls) {
    this.bin = bin;
    this.etcd = etcd;
    this.dir = dir;
    this.endpoint = endpoint;
    this.kubeconfig = writeAdminKubeconfig(dir.resolve("admin.kubeconfig"), endpoint, tls);
  }

  /** Starts etcd and the API server and waits until /readyz answers; skips the test if the binaries are missing. */
  public static KubeApiServer start() {
    Path bin = assumeInstalled();
    EtcdCluster etcd = EtcdCluster.start(EtcdVersion.V3_6, 1, Security.TLS);
    TempDirectory dir = TempDirectory.create("e2e-kube-apiserver-");
    KubeApiServer server = null;
    try {
      ApiServerTls tls = TestCertificates.generateForApiServer(dir.path());
      for (int attempt = 1; ; attempt++) {
        int port = FreePorts.one();
        server = new KubeApiServer(bin, etcd, dir, new Endpoint("https://127.0.0.1:" + port, tls.caCert()), tls);
        server.process = RunningProcess.start(command(bin, port, etcd, tls, dir.resolve("certs")),
            dir.resolve("kube-apiserver-" + attempt));
        try {
          server.awaitReady();
          return server;
        } catch (PortTakenException e) {
          server.process.kill();
          if (attempt == PORT_ATTEMPTS) {
            throw new IllegalStateException("ports kept being taken by other processes", e);
          }
        }
      }
    } catch (RuntimeException | Error e) {
      if (server != null && server.process != null) {
        server.process.kill();
      }
      etcd.close();
      dir.close();
      throw e;
    }
  }

  /**
   * As {@link #start()}, with a kube-controller-manager running what the addon meets on a master: CronJobs make
   * Jobs, Deployments make ReplicaSets and those Pods, PVCs bind to PVs (and are deleted only when unused),
   * kube-system gets its default ServiceAccount.
   */
  public static KubeApiServer startWithControllerManager() {
    KubeApiServer server = start();
    try {
      server.controllerManager = RunningProcess.start(List.of(server.bin.resolve("kube-controller-manager").toString(),
          "--kubeconfig=" + server.kubeconfig,
          "--controllers=cronjob-controller,job-controller,deployment-controller,replicaset-controller,"
              + "persistentvolume-binder-controller,"
              + "persistentvolume-protection-controller,persistentvolumeclaim-protection-controller,"
              + "serviceaccount-controller",
          "--leader-elect=false",
          // Nothing here asks it for metrics or health: no port to collide on.
          "--secure-port=0"), server.dir.resolve("kube-controller-manager"));
      return server;
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  /** The directory of the built binaries and of the addon manager's scripts (addon-manager/). */
  public Path bin() {
    return bin;
  }

  /** The admin's kubeconfig (group system:masters), for kubectl and anything else that reads one. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** A fabric8 client acting as the admin; the caller closes it. */
  public KubernetesClient client() {
    try {
      Config config = Config.fromKubeconfig(Files.readString(kubeconfig, StandardCharsets.UTF_8));
      // fabric8 guesses the key's algorithm from its PEM header, and a PKCS#8 header names none: it would try RSA.
      config.setClientKeyAlgo("EC");
      return new KubernetesClientBuilder().withConfig(config).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the built kubectl as the admin to its end; the result carries its exit code, output and warnings. */
  public ProcessResult kubectl(String... arguments) {
    List<String> command = new ArrayList<>(List.of(bin.resolve("kubectl").toString(),
        "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(arguments));
    return Processes.run(command, KUBECTL_TIMEOUT);
  }

  /**
   * A kubeconfig that acts as ServiceAccount {@code namespace/name} with a token from the TokenRequest API, the kind
   * the kubelet mounts into a pod; the account must exist. The token is a credential: the file is 0600.
   */
  public Path serviceAccountKubeconfig(String namespace, String name) {
    String token = kubectl("create", "token", name, "--namespace", namespace, "--duration=1h").orThrow().stdout()
        .strip();
    String user = "token: " + token;
    return writeKubeconfig(dir.resolve(namespace + "-" + name + ".kubeconfig"), endpoint, user, namespace);
  }

  /** Whether ServiceAccount {@code namespace/name} may do {@code verbAndResource} (kubectl auth can-i's words). */
  public boolean serviceAccountCan(String namespace, String name, String... verbAndResource) {
    return serviceAccountCanIn(namespace, namespace, name, verbAndResource);
  }

  /** As {@link #serviceAccountCan}, asked of namespace {@code where}: what the account may do outside its own. */
  public boolean serviceAccountCanIn(String where, String namespace, String name, String... verbAndResource) {
    List<String> arguments = new ArrayList<>(List.of("auth", "can-i", "--namespace", where,
        "--as=system:serviceaccount:" + namespace + ":" + name));
    arguments.addAll(List.of(verbAndResource));
    ProcessResult answer = kubectl(arguments.toArray(String[]::new));
    if (!answer.stdout().strip().matches("yes|no")) {
      throw new IllegalStateException("kubectl auth can-i answered neither yes nor no: " + answer);
    }
    return answer.stdout().strip().equals("yes");
  }

  @Override
  public void close() {
    try {
      if (controllerManager != null) {
        controllerManager.kill();
      }
      if (process != null) {
        process.kill();
      }
    } finally {
      etcd.close();
      dir.close();
    }
  }

  private static Path assumeInstalled() {
    String dir = System.getenv(BIN_VARIABLE);
    assumeTrue(dir != null && !dir.isBlank() && Files.isExecutable(Path.of(dir, "kube-apiserver"))
            && Files.isExecutable(Path.of(dir, "kubectl")),
        BIN_VARIABLE + " is unset or holds no kube-apiserver and kubectl: run scripts/test, or export " + BIN_VARIABLE
            + " from scripts/setup (it builds them with scripts/kube/build)");
    return Path.of(dir);
  }

  private static List<String> command(Path bin, int port, EtcdCluster etcd, ApiServerTls tls, Path certDir) {
    TlsMaterial etcdTls = etcd.tls();
    return List.of(bin.resolve("kube-apiserver").toString(),
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        "--secure-port=" + port,
        // Where it would write self-signed serving certificates; it has ours, but the default is /var/run.
        "--cert-dir=" + certDir,
        "--tls-cert-file=" + tls.serverCert(),
        "--tls-private-key-file=" + tls.serverKey(),
        "--client-ca-file=" + tls.caCert(),
        "--authorization-mode=RBAC",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-account-key-file=" + tls.serviceAccountPublicKey(),
        "--service-account-signing-key-file=" + tls.serviceAccountKey(),
        "--service-cluster-ip-range=10.96.0.0/24",
        // No kubelet or kube-proxy here: keep the server from publishing itself as the kubernetes Service's endpoint.
        "--endpoint-reconciler-type=none",
        "--etcd-servers=" + etcd.endpoints(),
        "--etcd-cafile=" + etcdTls.caCert(),
        "--etcd-certfile=" + etcdTls.clientCert(),
        "--etcd-keyfile=" + etcdTls.clientKey());
  }

  /** The admin's kubeconfig names files rather than embedding keys, so it holds no secret itself. */
  private static Path writeAdminKubeconfig(Path file, Endpoint endpoint, ApiServerTls tls) {
    return writeKubeconfig(file, endpoint,
        "client-certificate: %s, client-key: %s".formatted(tls.adminCert(), tls.adminKey()), "default");
  }

  private record Endpoint(String url, Path caCert) {}

  /** 0600 whatever it holds. */
  private static Path writeKubeconfig(Path file, Endpoint endpoint, String user, String namespace) {
    String text = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: e2e
          cluster:
            server: %s
            certificate-authority: %s
        users:
        - name: user
          user: {%s}
        contexts:
        - name: e2e
          context: {cluster: e2e, user: user, namespace: %s}
        current-context: e2e
        """.formatted(endpoint.url(), endpoint.caCert(), user, namespace);
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Polls /readyz (every post-start hook done, etcd reachable) until it says ok, failing fast if the server died. */
  private void awaitReady() {
    Instant deadline = Instant.now().plus(STARTUP);
    ProcessResult ready;
    while ((ready = kubectl("get", "--raw", "/readyz")).exitCode() != 0) {
      if (!process.isAlive()) {
        String log = logTail();
        if (log.contains("address already in use")) {
          throw new PortTakenException(log);
        }
        throw new IllegalStateException("kube-apiserver exited while starting:\n" + log);
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("kube-apiserver not ready after " + STARTUP + ": " + ready
            + "\n--- server log:\n" + logTail());
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for kube-apiserver", e);
      }
    }
  }

  private String logTail() {
    String log = process.stderr();
    return log.length() <= 5000 ? log : "..." + log.substring(log.length() - 5000);
  }
}
