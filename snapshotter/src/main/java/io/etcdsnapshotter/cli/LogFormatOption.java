package io.etcdsnapshotter.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --log-format}, which {@link Main} gives every command: applied as it is parsed, before anything logs. */
final class LogFormatOption {
  enum Format { TEXT, JSON }

  @Option(names = "--log-format", paramLabel = "text|json", converter = FormatConverter.class,
      description = "Log lines on stderr: text (default) or json, one JSON object per line with timestamp, level,"
          + " loggerName, formattedMessage, mdc (cluster) and kvpList (endpoint, bytes, revision...)."
          + " The one-line failure (etcd-snapshotter COMMAND: ...) and the results on stdout stay plain text.")
  void format(Format format) {
    if (format == Format.JSON) {
      LogSetup.useJson();
    }
  }

  static final class FormatConverter implements ITypeConverter<Format> {
    @Override
    public Format convert(String value) {
      return switch (value) {
        case "text" -> Format.TEXT;
        case "json" -> Format.JSON;
        default -> throw new TypeConversionException("'" + value + "' is not a log format: give text or json");
      };
    }
  }
}
