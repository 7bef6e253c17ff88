package io.etcdsnapshotter.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
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
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private SnapshotConfigLoader() {}

  public static SnapshotConfig load(SnapshotSettings flags) {
    ConfigFile file = flags.configFile() == null ? new ConfigFile() : read(flags.configFile());
    Path dir = flags.dir() != null ? flags.dir() : file.dir != null ? Path.of(file.dir) : DEFAULT_DIR;
    int keep = first(flags.keep(), file.keep, 0);
    if (keep < 0) {
      throw new ConfigException("--keep must be 0 or more, not " + keep);
    }
    Duration dial = DurationParser.parse(first(flags.dialTimeout(), file.dialTimeout, "5s"), "dial timeout");
    Duration command =
        DurationParser.parse(first(flags.commandTimeout(), file.commandTimeout, "30m"), "command timeout");
    return new SnapshotConfig(dir, keep, dial, command, clusters(flags, file), PublishConfigLoader.load(file,
        flags.clusterName() != null ? flags.clusterName() : file.clusterName),
        first(flags.allowClusterChange(), file.allowClusterChange, false));
  }

  static ConfigFile read(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new ConfigException("config file " + path + " does not exist or is not a file");
    }
    try {
      ConfigFile file = new ObjectMapper(new YAMLFactory()).readValue(path.toFile(), ConfigFile.class);
      return file == null ? new ConfigFile() : file;
    } catch (JsonProcessingException e) {
      throw new ConfigException("config file " + path + " is not valid: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ConfigException("config file " + path + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static List<ClusterConfig> clusters(SnapshotSettings flags, ConfigFile file) {
    Map<String, String> endpoints = new LinkedHashMap<>();
    if (!flags.clusters().isEmpty()) {
      flags.clusters().forEach(spec -> putCluster(endpoints, spec));
    } else if (file.clusters != null && !file.clusters.isEmpty()) {
      file.clusters.forEach((name, c) -> endpoints.put(name, c == null || c.endpoints == null
          ? "" : String.join(",", c.endpoints)));
    } else {
      endpoints.put(ClusterConfig.MAIN, DEFAULT_CLUSTERS.get(ClusterConfig.MAIN));
      endpoints.put(ClusterConfig.EVENTS, DEFAULT_CLUSTERS.get(ClusterConfig.EVENTS));
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
    ClusterConfig cluster = new ClusterConfig(name, endpoints(name, urls), tls, user, password);
    ClusterConfigCheck.check(cluster);
    return cluster;
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
