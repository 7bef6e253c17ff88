package io.etcdsnapshotter.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The {@code kubernetes:} and {@code aws:} sections of the config file, checked before any snapshot is taken. */
final class PublishConfigLoader {
  static final String DEFAULT_NAMESPACE = "kube-system";
  static final String DEFAULT_PVC = "kube-etcd-snapshot-pvc";
  static final Map<String, String> DEFAULT_TAGS = Map.of("etcd-snapshot", "true");
  /** Tags this tool writes and trusts; configured tags could forge them (a brought-back marker, another cluster). */
  private static final String TOOL_TAGS = "etcd-snapshotter/";
  /** A century: beyond it "now minus maxAge" leaves the range of dates AWS gives. */
  static final Duration MAX_SNAPSHOT_AGE = Duration.ofDays(36500);
  private static final Pattern VOLUME_ID = Pattern.compile("vol-[0-9a-f]{8,17}");

  private PublishConfigLoader() {}

  /** {@code clusterName}: the flag's, else the file's; required with an {@code aws:} section. */
  static PublishConfig load(ConfigFile file, String clusterName) {
    PublishConfig.Kubernetes kubernetes = file.kubernetes == null ? null : kubernetes(file.kubernetes);
    PublishConfig.Aws aws = file.aws == null ? null
        : aws(file.aws, ClusterName.parse(clusterName, "clusterName (or --cluster-name), which aws needs,"));
    if (aws != null && aws.volumeId() == null && kubernetes == null) {
      throw new ConfigException("aws needs the snapshot volume: set aws.volumeId, or a kubernetes section to find it"
          + " through the PVC");
    }
    return new PublishConfig(kubernetes, aws);
  }

  private static PublishConfig.Kubernetes kubernetes(ConfigFile.Kubernetes k) {
    return new PublishConfig.Kubernetes(orDefault(k.namespace, DEFAULT_NAMESPACE), orDefault(k.pvc, DEFAULT_PVC));
  }

  private static PublishConfig.Aws aws(ConfigFile.Aws a, String clusterName) {
    if (a.volumeId != null && !VOLUME_ID.matcher(a.volumeId).matches()) {
      throw new ConfigException("aws.volumeId '" + a.volumeId + "' is not an EBS volume id like vol-0123456789abcdef0");
    }
    Map<String, String> tags = a.tags == null ? DEFAULT_TAGS : new LinkedHashMap<>(a.tags);
    tags.forEach(PublishConfigLoader::checkTag);
    return new PublishConfig.Aws(clusterName, blankToNull(a.region), ServiceUrl.parse(a.endpoint, "aws.endpoint",
        ServiceUrl.EC2_EXAMPLE),
        a.volumeId, Map.copyOf(tags), a.ebsSnapshots == null ? null : ebsSnapshots(a.ebsSnapshots),
        Boolean.TRUE.equals(a.requireEncrypted), Boolean.TRUE.equals(a.useInstanceMetadata));
  }

  private static PublishConfig.EbsSnapshots ebsSnapshots(ConfigFile.EbsSnapshots e) {
    int keep = keep(e.keep, "aws.ebsSnapshots.keep", 0);
    Duration maxAge = maxAge(e.maxAge, "aws.ebsSnapshots.maxAge", null);
    List<PublishConfig.EbsCopies> copies = new ArrayList<>();
    Set<String> regions = new HashSet<>();
    for (ConfigFile.EbsCopies c : e.copies == null ? List.<ConfigFile.EbsCopies>of() : e.copies) {
      String where = "aws.ebsSnapshots.copies[" + copies.size() + "]";
      if (c == null || c.region == null || c.region.isBlank()) {
        throw new ConfigException(where + " needs the region to copy each EBS snapshot to, e.g. region: us-west-2");
      }
      if (!regions.add(c.region.trim())) {
        throw new ConfigException(where + ": region " + c.region.trim() + " is listed twice; list each region once");
      }
      copies.add(new PublishConfig.EbsCopies(c.region.trim(), blankToNull(c.kmsKeyId),
          keep(c.keep, where + ".keep", keep), maxAge(c.maxAge, where + ".maxAge", maxAge)));
    }
    return new PublishConfig.EbsSnapshots(keep, maxAge, List.copyOf(copies));
  }

  private static int keep(Integer value, String name, int fallback) {
    int keep = value == null ? fallback : value;
    if (keep < 0) {
      throw new ConfigException(name + " must be 0 (no limit) or more, not " + keep);
    }
    return keep;
  }

  private static Duration maxAge(String value, String name, Duration fallback) {
    return value == null ? fallback : DurationParser.parse(value, name, MAX_SNAPSHOT_AGE);
  }

  private static void checkTag(String key, String value) {
    if (key == null || key.isBlank() || key.startsWith("aws:") || value == null) {
      throw new ConfigException("aws.tags entry '" + key + "' needs a key not starting with aws: and a value"
          + " (\"\" is allowed)");
    }
    if (key.startsWith(TOOL_TAGS)) {
      throw new ConfigException("aws.tags entry '" + key + "': keys under " + TOOL_TAGS + " are the tool's own (the"
          + " cluster, the runs, volumes brought back): choose another key");
    }
  }

  private static String orDefault(String text, String fallback) {
    return text == null || text.isBlank() ? fallback : text;
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text;
  }
}
