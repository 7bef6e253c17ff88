package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.bolt.BoltFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Refuses snapshots of an etcd newer than the data dirs this restore writes (3.4/3.5): etcd 3.4.31+ panics on a
 * storage version other than 3.4/3.5, and newer schemas may hold what 3.5 cannot serve.
 */
final class SourceVersion {
  private static final Pattern MAJOR_MINOR = Pattern.compile("(\\d{1,6})\\.(\\d{1,6})(\\..*)?");
  private static final int NEWEST_MINOR_OF_3 = 5;

  private SourceVersion() {}

  static void check(BoltFile source) throws IOException {
    checkOne(source.get(Backend.META, Backend.STORAGE_VERSION), "storage version (meta/storageVersion)");
    checkOne(source.get(Backend.CLUSTER, Backend.CLUSTER_VERSION), "cluster version (cluster/clusterVersion)");
  }

  private static void checkOne(Optional<byte[]> stored, String what) throws IOException {
    if (stored.isEmpty()) {
      return;
    }
    String version = new String(stored.get(), StandardCharsets.UTF_8);
    Matcher m = MAJOR_MINOR.matcher(version);
    if (!m.matches()) {
      throw new IOException("the snapshot's " + what + " '" + version + "' is not a version; is it an etcd snapshot?");
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    if (major > 3 || (major == 3 && minor > NEWEST_MINOR_OF_3)) {
      throw new IOException("the snapshot's " + what + " is " + version + ", newer than the etcd 3.4/3.5 data dirs"
          + " this restore writes; restore it with etcdutl " + major + "." + minor);
    }
  }
}
