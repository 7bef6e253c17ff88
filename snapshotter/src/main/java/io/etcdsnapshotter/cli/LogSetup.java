package io.etcdsnapshotter.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The jar's logging, set up in code: reading a logback.xml loads an XML parser and logback's configuration
 * language, 0.2 s of every run's start. Logs go to stderr so that stdout carries only command output (status
 * tables, JSON). They are lines of text until {@code --log-format json} switches them to logback's own JSON, one
 * object per line.
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

  private static final String APPENDER = "STDERR";

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
    stderr.setName(APPENDER);
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();

    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(stderr);
    QUIET.forEach((name, level) -> context.getLogger(name).setLevel(level));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * From now on every log line is one JSON object: timestamp (epoch milliseconds), level, loggerName, the
   * {@code mdc} fields (cluster), the {@code kvpList} of fields the line carries (endpoint, bytes, revision...) and
   * formattedMessage, the text line's message. Neither thread names, logback's context nor the message template
   * are written: they help no operator and are noise in every line.
   */
  static void useJson() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    JsonEncoder json = new JsonEncoder();
    json.setContext(context);
    json.setWithSequenceNumber(false);
    json.setWithNanoseconds(false);
    json.setWithThreadName(false);
    json.setWithContext(false);
    json.setWithArguments(false);
    json.setWithMessage(false);
    json.setWithFormattedMessage(true);
    json.start();
    ConsoleAppender<ILoggingEvent> stderr = (ConsoleAppender<ILoggingEvent>)
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(APPENDER);
    stderr.stop();
    stderr.setEncoder(json);
    stderr.start();
  }
}
