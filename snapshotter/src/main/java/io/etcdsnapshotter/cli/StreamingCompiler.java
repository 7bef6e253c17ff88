package io.etcdsnapshotter.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the JVM's optimizing compiler (C2) for SHA-256 and AES-GCM alone while a snapshot streams. A run lives
 * seconds: C2 spends about 3 s of CPU compiling Netty and gRPC, which on a two-core master is taken from the etcd
 * member that is sending the snapshot, and C1's code is fast enough for moving buffers. The digests and ciphers are
 * the exception: only C2 turns them into the CPU's SHA, AES and carry-less multiply instructions (SHA-256: 0.8 s per
 * GiB instead of 10 s; an encrypted file's AES-GCM: 0.3 s per GiB instead of 50 s). The same JSON directives jcmd's
 * Compiler.directives_add takes, added through its MBean so that no JVM flag is needed.
 */
final class StreamingCompiler {
  private static final Logger LOG = LoggerFactory.getLogger(StreamingCompiler.class);
  private static final String DIRECTIVES = """
      [
        { match: ["sun/security/provider/*.*"], c2: { Exclude: false } },
        { match: ["com/sun/crypto/provider/*.*"], c2: { Exclude: false } },
        { match: ["*.*"], c2: { Exclude: true } }
      ]
      """;

  private StreamingCompiler() {}

  /**
   * Starting the platform MBean server takes about 150 ms, so it happens beside connecting to etcd rather than
   * before; only code that turns hot later (the stream) must see the directives.
   */
  static void optimizeOnlyCryptoInBackground() {
    Thread thread = new Thread(StreamingCompiler::optimizeOnlyCrypto, "compiler-directives");
    thread.setDaemon(true);
    thread.start();
  }

  /** Best effort: a JVM without the diagnostic MBean just runs with its usual compilers. */
  static void optimizeOnlyCrypto() {
    Path file = null;
    try {
      file = Files.createTempFile("etcd-snapshotter-compiler", ".json");
      // A run that ends while this daemon thread still works never reaches the finally below.
      file.toFile().deleteOnExit();
      Files.writeString(file, DIRECTIVES);
      Object added = ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
          new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
      LOG.debug("compiler directives: {}", added);
    } catch (IOException | JMException | RuntimeException e) {
      LOG.debug("compiler directives not added, compiling as usual: {}", e.toString());
    } finally {
      deleteQuietly(file);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOG.debug("could not remove {}: {}", file, e.toString());
      }
    }
  }
}
