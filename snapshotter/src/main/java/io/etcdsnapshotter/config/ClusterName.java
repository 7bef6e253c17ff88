package io.etcdsnapshotter.config;

import java.util.regex.Pattern;

/**
 * The name of the Kubernetes cluster whose etcd this is: the identity every EBS snapshot, the snapshot volume and
 * every volume brought back carry as a tag, so that one account's clusters never find, expire or restore each other's
 * snapshots. Letters, digits, dots, dashes and underscores: a tag value an IAM condition can name as it is.
 */
public final class ClusterName {
  private static final Pattern FORM = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?");

  private ClusterName() {}

  /** {@code text} as a cluster name; {@code what} names the setting and says where to give one when it is missing. */
  public static String parse(String text, String what) {
    if (text == null || text.isBlank()) {
      throw new ConfigException(what + " is not set: give the name of this Kubernetes cluster, which every EBS"
          + " snapshot is tagged and found by (the same name on the restore side, e.g. pillar cluster_name)");
    }
    if (!FORM.matcher(text).matches()) {
      throw new ConfigException(what + " '" + text + "' is not a cluster name: use up to 128 letters, digits, dots,"
          + " dashes and underscores, starting and ending with a letter or digit");
    }
    return text;
  }
}
