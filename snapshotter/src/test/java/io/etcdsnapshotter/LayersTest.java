package io.etcdsnapshotter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The jar's sources follow the package layers the README lists: a package imports only packages of lower layers, so
 * the list a reader trusts is the one the code obeys.
 */
class LayersTest {
  private static final String ROOT = "io.etcdsnapshotter";
  private static final Path README = Path.of("..", "README.md");
  private static final Path SOURCES = Path.of("src", "main", "java", "io", "etcdsnapshotter");
  private static final Pattern LAYER = Pattern.compile("^(\\d+)\\. (.*)");
  private static final Pattern NAME = Pattern.compile("`([a-z][a-z0-9]*(\\.[a-z][a-z0-9]*)*)`");
  private static final Pattern IMPORT = Pattern.compile("^import (static )?io\\.etcdsnapshotter\\.(\\w+)[.;]");

  @Test
  void everyPackageImportsOnlyLowerLayers() throws IOException {
    Map<String, Integer> layers = layers();
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String from = packageOf(SOURCES.relativize(file.getParent()));
        assertThat(layers).as("the README's package layers name %s", from).containsKey(from);
        for (String line : Files.readAllLines(file)) {
          String to = imported(line);
          if (to != null && !to.equals(from) && layers.getOrDefault(to, 0) >= layers.get(from)) {
            violations.add(SOURCES.relativize(file) + " (layer " + layers.get(from) + ") imports " + to
                + " (layer " + layers.get(to) + ")");
          }
        }
      }
    }
    assertThat(violations).as("imports of a package's own layer or a higher one").isEmpty();
  }

  /** Each package of the README's list by its layer number; the root package is the lowest. */
  private static Map<String, Integer> layers() throws IOException {
    String readme = Files.readString(README);
    String section = readme.substring(readme.indexOf("### Package layers"));
    Map<String, Integer> layers = new HashMap<>();
    for (String line : section.lines().skip(1).takeWhile(l -> !l.startsWith("#")).toList()) {
      Matcher layer = LAYER.matcher(line);
      if (layer.matches()) {
        Matcher name = NAME.matcher(layer.group(2));
        while (name.find()) {
          layers.put(name.group(1), Integer.parseInt(layer.group(1)));
        }
      }
    }
    assertThat(layers).as("layers listed under the README's Package layers").containsKey(ROOT);
    return layers;
  }

  private static String packageOf(Path relative) {
    return relative.toString().isEmpty() ? ROOT : relative.toString().replace('/', '.');
  }

  /** The package an import line names (a class of the root package names the root), or null for others. */
  private static String imported(String line) {
    Matcher m = IMPORT.matcher(line);
    if (!m.find()) {
      return null;
    }
    return Character.isUpperCase(m.group(2).charAt(0)) ? ROOT : m.group(2);
  }
}
