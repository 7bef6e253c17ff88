package io.etcdsnapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The speed of a save rests on this JVM taking the directives through its diagnostic MBean; the class swallows a
 * failure on purpose, so this test is what notices when a JVM stops taking them.
 */
class StreamingCompilerTest {
  @AfterEach
  void compileAsUsual() throws Exception {
    diagnosticCommand("compilerDirectivesClear");
  }

  @Test
  void theJvmKeepsC2ForSha256AndAesGcmAndExcludesItForEverythingElse() throws Exception {
    StreamingCompiler.optimizeOnlyCrypto();

    String directives = diagnosticCommand("compilerDirectivesPrint");
    assertThat(directives).contains("matching: sun/security/provider/*.*", "matching: com/sun/crypto/provider/*.*",
        "matching: *.*");
    assertThat(directives.substring(directives.indexOf("matching: *.*")))
        .contains("c2 directives:").containsPattern("c2 directives:\\s+inline: -\\s+Enable:true Exclude:true");
  }

  private static String diagnosticCommand(String operation) throws Exception {
    return (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), operation, new Object[0], new String[0]);
  }
}
