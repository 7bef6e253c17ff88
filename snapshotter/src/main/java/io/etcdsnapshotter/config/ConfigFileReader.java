package io.etcdsnapshotter.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Reads the YAML config file strictly: whatever it holds is either what the operator meant or a one-line usage
 * error, never a silent misread. A config is a few hundred bytes, so anything past {@link #MAX_BYTES} is refused
 * before parsing; a key given twice, an alias ({@code *name}, which Jackson would read as the literal anchor name),
 * a key without a value, a fraction where a count belongs and a second YAML document are refused too.
 */
final class ConfigFileReader {
  static final int MAX_BYTES = 1 << 20;
  private static final YAMLFactory YAML = YAMLFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
      .build();
  private static final ObjectMapper MAPPER = new ObjectMapper(YAML)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  private ConfigFileReader() {}

  static ConfigFile read(Path path) {
    byte[] yaml = bytes(path);
    try {
      if (documents(path, yaml) == 0) {
        return new ConfigFile();
      }
      ConfigFile file = MAPPER.readValue(yaml, ConfigFile.class);
      return file == null ? new ConfigFile() : file;
    } catch (JsonProcessingException e) {
      throw new ConfigException("config file " + path + " is not valid: " + describe(e), e);
    } catch (IOException e) {
      throw new ConfigException("config file " + path + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** At most {@link #MAX_BYTES} + 1 bytes are read, whatever the file claims or grows to while we read. */
  private static byte[] bytes(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new ConfigException("config file " + path + " does not exist or is not a file");
    }
    byte[] yaml;
    try (InputStream in = Files.newInputStream(path)) {
      yaml = in.readNBytes(MAX_BYTES + 1);
    } catch (IOException e) {
      throw new ConfigException("config file " + path + " cannot be read: " + e.getMessage(), e);
    }
    if (yaml.length > MAX_BYTES) {
      throw new ConfigException("config file " + path + " is larger than " + (MAX_BYTES >> 20) + " MiB: a config"
          + " needs a few hundred bytes; is it the right file?");
    }
    return yaml;
  }

  /** One pass over the tokens, before binding, for what binding would accept silently; counts the documents. */
  private static int documents(Path path, byte[] yaml) throws IOException {
    String file = "config file " + path + ": ";
    int documents = 0;
    try (YAMLParser parser = (YAMLParser) YAML.createParser(yaml)) {
      int depth = 0;
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (depth == 0 && ++documents > 1) {
          throw new ConfigException(file + "line " + line(parser) + ": a second YAML document (after ---): put"
              + " everything in one document");
        }
        depth += token.isStructStart() ? 1 : token.isStructEnd() ? -1 : 0;
        if (parser.isCurrentAlias()) {
          throw new ConfigException(file + where(parser) + " is an alias (*" + parser.getText() + "): aliases are"
              + " not supported; write the value out");
        }
        if (token == JsonToken.VALUE_NULL) {
          throw new ConfigException(file + where(parser) + " has no value: give it one, or remove the line");
        }
      }
    }
    return documents;
  }

  private static String where(YAMLParser parser) {
    String key = parser.getParsingContext().pathAsPointer().toString().substring(1).replace('/', '.');
    return (key.isEmpty() ? "the document" : key) + " (line " + line(parser) + ")";
  }

  private static int line(YAMLParser parser) {
    return parser.currentTokenLocation().getLineNr();
  }

  /** Jackson's message cut to its first sentence, with the key and line it is about. */
  private static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    if (e instanceof InvalidFormatException f && f.getValue() instanceof Number) {
      message = "must be a whole number, not " + f.getValue();
    } else if (e instanceof UnrecognizedPropertyException u) {
      message = "unknown key; the keys here are " + u.getKnownPropertyIds().stream().map(String::valueOf).sorted()
          .collect(Collectors.joining(", "));
    } else {
      message = message.lines().findFirst().orElse(message);
      int hint = message.indexOf(" (but could if");
      message = hint < 0 ? message : message.substring(0, hint);
    }
    String key = e instanceof JsonMappingException m && !m.getPath().isEmpty()
        ? m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
            .collect(Collectors.joining("."))
        : null;
    JsonLocation at = e.getLocation();
    String line = at == null ? null : "line " + at.getLineNr();
    String where = key == null ? line : line == null ? key : key + " (" + line + ")";
    return where == null ? message : where + ": " + message;
  }
}
