package io.etcdsnapshotter.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code drill:} section of the config file under the {@code --drill} and {@code --drill-dir} flags. */
final class DrillConfigLoader {
  /** A whole number of bytes with an optional binary suffix, as Kubernetes writes an emptyDir's sizeLimit. */
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,15})(Ki|Mi|Gi|Ti)?");
  private static final Map<String, Integer> SHIFT = Map.of("Ki", 10, "Mi", 20, "Gi", 30, "Ti", 40);

  private DrillConfigLoader() {}

  static DrillConfig load(Boolean enabledFlag, Path dirFlag, ConfigFile.Drill fromFile) {
    ConfigFile.Drill file = fromFile == null ? new ConfigFile.Drill() : fromFile;
    boolean enabled = enabledFlag != null ? enabledFlag : Boolean.TRUE.equals(file.enabled);
    Path dir = dirFlag != null ? dirFlag : file.dir == null || file.dir.isBlank() ? null : Path.of(file.dir);
    String what = dirFlag != null ? "--drill-dir" : "drill.dir in the config file";
    return new DrillConfig(enabled, enabled ? ScratchDir.of(dir, what) : dir, sizeLimit(file.sizeLimit));
  }

  private static long sizeLimit(String text) {
    if (text == null) {
      return Long.MAX_VALUE;
    }
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new ConfigException("drill.sizeLimit '" + text + "' is not a size: give bytes, or a number with Ki, Mi,"
          + " Gi or Ti such as 3Gi");
    }
    return Long.parseLong(m.group(1)) << (m.group(2) == null ? 0 : SHIFT.get(m.group(2)));
  }
}
