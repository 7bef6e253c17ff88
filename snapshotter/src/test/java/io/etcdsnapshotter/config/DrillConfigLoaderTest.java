package io.etcdsnapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrillConfigLoaderTest {
  @TempDir Path tmp;

  @Test
  void offByDefaultAndInTheSystemTempDirWhenOn() throws IOException {
    assertThat(load(null, null).drill()).isEqualTo(new DrillConfig(false, null, Long.MAX_VALUE));
    assertThat(load(true, null).drill())
        .isEqualTo(new DrillConfig(true, Path.of(System.getProperty("java.io.tmpdir")), Long.MAX_VALUE));
  }

  @Test
  void readsTheConfigFileUnderTheFlags() throws IOException {
    Path scratch = Files.createDirectory(tmp.resolve("scratch"));
    String yaml = "drill: {enabled: true, dir: " + scratch + ", sizeLimit: 3Gi}";
    assertThat(load(null, null, yaml).drill()).isEqualTo(new DrillConfig(true, scratch, 3L << 30));
    assertThat(load(false, null, yaml).drill().enabled()).as("--no-drill").isFalse();
    assertThat(load(null, "drill: {enabled: true, sizeLimit: '1048576'}").drill().sizeLimit()).isEqualTo(1 << 20);
  }

  @Test
  void aDrillDirThatIsNoDirectoryOrASizeThatIsNoneIsAUsageError() throws IOException {
    Path missing = tmp.resolve("missing");
    assertThatThrownBy(() -> load(null, "drill: {enabled: true, dir: " + missing + "}"))
        .isInstanceOf(ConfigException.class).hasMessage("drill.dir in the config file " + missing + " does not"
            + " exist; give an existing directory, or leave it out for the system temp dir");
    assertThatThrownBy(() -> load(null, "drill: {enabled: true, sizeLimit: 3GB}"))
        .isInstanceOf(ConfigException.class).hasMessage("drill.sizeLimit '3GB' is not a size: give bytes, or a"
            + " number with Ki, Mi, Gi or Ti such as 3Gi");
    // Fifteen digits of Ti do not fit a long: once they wrapped around to a bogus limit.
    assertThatThrownBy(() -> load(null, "drill: {enabled: true, sizeLimit: 999999999999999Ti}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("is not a size");
  }

  private SnapshotConfig load(Boolean flag, String yaml) throws IOException {
    return load(flag, null, yaml);
  }

  private SnapshotConfig load(Boolean flag, Path dirFlag, String yaml) throws IOException {
    Path file = yaml == null ? null : Files.writeString(tmp.resolve("config.yaml"), yaml + "\n");
    return SnapshotConfigLoader.load(new SnapshotSettings(file, null, null, null, null, List.of(), TlsFiles.NONE,
        null, null, null, null, flag, dirFlag, null, null, null));
  }
}
