package io.etcdsnapshotter.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * The jar's logging, set up in code: reading a logback.xml loads an XML parser and logback's configuration
 * language, 0.2 s of every run's start. Logs go to stderr so that stdout carries only command output (status
 * tables, JSON).
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
  /**
   * Libraries speak only when something is wrong. The cause of a failed connection reaches the operator in our
   * one-line message; Netty's own warning would add a stack trace to stderr.
   */
  private static final Map<String, Level> QUIET = Map.of(
      "io.grpc", Level.WARN,
      "io.grpc.netty.shaded.io.netty", Level.ERROR,
      "software.amazon.awssdk", Level.WARN,
      "io.fabric8", Level.WARN);

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    // Levels set here reach java.util.logging (grpc-java logs through it) without JUL's cost per call.
    LevelChangePropagator julLevels = new LevelChangePropagator();
    julLevels.setContext(context);
    julLevels.setResetJUL(true);
    context.addListener(julLevels);
    julLevels.start();

    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %msg%n");
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();

    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(stderr);
    QUIET.forEach((name, level) -> context.getLogger(name).setLevel(level));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
