package io.etcdsnapshotter.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Merges flags over the YAML config file over the defaults, and rejects anything that cannot work before any I/O. */
public final class SnapshotConfigLoader {
  public static final Path DEFAULT_DIR = Path.of("/var/etcd-snapshot");
  static final Map<String, String> DEFAULT_CLUSTERS =
      Map.of(ClusterConfig.MAIN, "http://127.0.0.1:2379", ClusterConfig.EVENTS, "http://127.0.0.1:4002");
  /** Far above any real connect; netty takes the connect timeout as an int of milliseconds (24.8 days at most). */
  static final Duration MAX_DIAL_TIMEOUT = Duration.ofHours(1);
  /** Far above any real snapshot, which streams gigabytes in minutes. */
  static final Duration MAX_COMMAND_TIMEOUT = Duration.ofDays(1);
  /** A run saves clusters one by one, each within the command timeout: thousands would run for days. */
  static final int MAX_CLUSTERS = 64;
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private SnapshotConfigLoader() {}

  public static SnapshotConfig load(SnapshotSettings flags) {
    return load(flags, S3Flags.NONE);
  }

  public static SnapshotConfig load(SnapshotSettings flags, S3Flags s3) {
    ConfigFile file = flags.configFile() == null ? new ConfigFile() : ConfigFileReader.read(flags.configFile());
    Path dir = flags.dir() != null ? flags.dir() : file.dir != null ? Path.of(file.dir) : DEFAULT_DIR;
    int keep = first(flags.keep(), file.keep, 0);
    if (keep < 0) {
      throw new ConfigException("--keep must be 0 or more, not " + keep);
    }
    Duration dial = duration("--dial-timeout", flags.dialTimeout(), "dialTimeout", file.dialTimeout, "5s",
        MAX_DIAL_TIMEOUT);
    Duration command = duration("--command-timeout", flags.commandTimeout(), "commandTimeout", file.commandTimeout,
        "30m", MAX_COMMAND_TIMEOUT);
    String clusterName = flags.clusterName() != null ? flags.clusterName() : file.clusterName;
    List<ClusterConfig> clusters = clusters(flags, file);
    PublishConfig publish = PublishConfigLoader.load(file, clusterName);
    return new SnapshotConfig(dir, keep, dial, command, clusters, publish,
        first(flags.allowClusterChange(), file.allowClusterChange, false),
        DrillConfigLoader.load(flags.drill(), flags.drillDir(), file.drill), MetricsConfigLoader.load(flags, file.metrics),
        clusterName == null ? null : ClusterName.parse(clusterName, "clusterName (or --cluster-name)"),
        flags.rateLimit() != null ? RateLimit.parse(flags.rateLimit(), "--rate-limit")
            : RateLimit.parse(file.rateLimit, "rateLimit in the config file"),
        EncryptionConfigLoader.load(file.encryption, file.aws), S3ConfigLoader.load(file.s3, s3, clusterName));
  }

  /** The flag's value, else the config file's, else the default; the message names where the value came from. */
  private static Duration duration(String flag, String fromFlag, String key, String fromFile, String fallback,
      Duration max) {
    String what = fromFlag == null && fromFile != null ? key + " in the config file" : flag;
    return DurationParser.parse(first(fromFlag, fromFile, fallback), what, max);
  }

  private static List<ClusterConfig> clusters(SnapshotSettings flags, ConfigFile file) {
    Map<String, String> endpoints = new LinkedHashMap<>();
    if (!flags.clusters().isEmpty()) {
      flags.clusters().forEach(spec -> putCluster(endpoints, spec));
    } else if (!file.clusters.isEmpty()) {
      file.clusters.forEach((name, c) -> endpoints.put(name, c.endpoints == null ? "" : String.join(",", c.endpoints)));
    } else {
      endpoints.put(ClusterConfig.MAIN, DEFAULT_CLUSTERS.get(ClusterConfig.MAIN));
      endpoints.put(ClusterConfig.EVENTS, DEFAULT_CLUSTERS.get(ClusterConfig.EVENTS));
    }
    if (endpoints.size() > MAX_CLUSTERS) {
      throw new ConfigException(endpoints.size() + " clusters configured; at most " + MAX_CLUSTERS + " are supported"
          + " (each is saved one after the other within the run)");
    }
    List<ClusterConfig> result = new ArrayList<>();
    endpoints.forEach((name, urls) -> result.add(cluster(name, urls, flags, file.clusters.get(name))));
    return result;
  }

  private static void putCluster(Map<String, String> endpoints, String spec) {
    int eq = spec.indexOf('=');
    if (eq <= 0) {
      throw new ConfigException("--cluster '" + spec + "' must look like NAME=URL[,URL...], e.g. main=http://127.0.0.1:2379");
    }
    String name = spec.substring(0, eq);
    if (endpoints.put(name, spec.substring(eq + 1)) != null) {
      throw new ConfigException("--cluster " + name + " is given twice: give each cluster once, with all its URLs");
    }
  }

  private static ClusterConfig cluster(String name, String urls, SnapshotSettings flags, ConfigFile.Cluster entry) {
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException("cluster name '" + name + "' must be lower-case letters, digits and dashes");
    }
    ConfigFile.Cluster fromFile = entry == null ? new ConfigFile.Cluster() : entry;
    TlsFiles tls = flags.tls().orElse(new TlsFiles(path(fromFile.cacert), path(fromFile.cert), path(fromFile.key)));
    String user = first(flags.user(), fromFile.user, null);
    Path password = flags.passwordFile() != null ? flags.passwordFile() : path(fromFile.passwordFile);
    ClusterConfig cluster = new ClusterConfig(name, endpoints(name, urls), tls, user, password,
        restoredBy(name, fromFile.restoredBy));
    ClusterConfigCheck.check(cluster);
    return cluster;
  }

  private static ClusterConfig.RestoredBy restoredBy(String cluster, ConfigFile.RestoredBy entry) {
    if (entry == null) {
      return null;
    }
    if (entry.token == null || entry.token.isBlank() || entry.initialCluster == null
        || !entry.initialCluster.contains("=")) {
      throw new ConfigException("clusters." + cluster + ".restoredBy needs token (the cluster's initial token) and"
          + " initialCluster (NAME=PEER_URL,...), as kubernetes.etcd.restored bootstraps it");
    }
    return new ClusterConfig.RestoredBy(entry.token, entry.initialCluster);
  }

  private static List<URI> endpoints(String cluster, String urls) {
    List<URI> result = new ArrayList<>();
    for (String url : urls.split(",")) {
      if (!url.isBlank()) {
        result.add(EndpointUrl.parse(cluster, url.trim()));
      }
    }
    if (result.isEmpty()) {
      throw new ConfigException("cluster " + cluster + " has no endpoints: give at least one URL such as http://127.0.0.1:2379");
    }
    return List.copyOf(result);
  }

  private static Path path(String text) {
    return text == null || text.isBlank() ? null : Path.of(text);
  }

  @SafeVarargs
  private static <T> T first(T... candidates) {
    for (T candidate : candidates) {
      if (candidate != null) {
        return candidate;
      }
    }
    return null;
  }
}
