package io.etcdsnapshotter.config;

import java.nio.file.Path;

/** The {@code drill:} section of the config file under the {@code --drill} and {@code --drill-dir} flags. */
final class DrillConfigLoader {
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
    return BinarySize.QUANTITY.bytes(text).orElseThrow(() -> new ConfigException("drill.sizeLimit '" + text
        + "' is not a size: give bytes, or a number with Ki, Mi, Gi or Ti such as 3Gi"));
  }
}
