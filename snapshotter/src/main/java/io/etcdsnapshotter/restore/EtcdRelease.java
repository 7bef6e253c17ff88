package io.etcdsnapshotter.restore;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An etcd release or schema version as etcd writes them ("3.6", "3.6.0", "v3.6.16"): only major, minor and patch
 * matter to which server can start which data dir.
 */
public record EtcdRelease(int major, int minor, int patch) {
  private static final Pattern VERSION = Pattern.compile("v?(\\d{1,6})\\.(\\d{1,6})(?:\\.(\\d{1,6}))?([-+].*)?");

  /** The release a text names, if it names one. */
  public static Optional<EtcdRelease> parse(String text) {
    Matcher m = VERSION.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    int patch = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
    return Optional.of(new EtcdRelease(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), patch));
  }

  /** True when this release's minor line is newer than {@code other}'s; patches never change the schema. */
  boolean newerLineThan(EtcdRelease other) {
    return major != other.major ? major > other.major : minor > other.minor;
  }

  boolean atLeast(int major, int minor, int patch) {
    if (this.major != major) {
      return this.major > major;
    }
    return this.minor != minor ? this.minor > minor : this.patch >= patch;
  }

  /** "3.6": the minor line, as operators name an etcd they run. */
  public String line() {
    return major + "." + minor;
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
