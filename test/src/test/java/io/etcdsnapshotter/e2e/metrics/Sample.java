package io.etcdsnapshotter.e2e.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One sample of a Prometheus text exposition, read as a scraper reads it. */
record Sample(String name, Map<String, String> labels, double value) {
  private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  static List<Sample> parse(String exposition) {
    List<Sample> samples = new ArrayList<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        throw new AssertionError("not a sample line without timestamp: " + line);
      }
      Map<String, String> labels = new TreeMap<>();
      Matcher label = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
      while (label.find()) {
        labels.put(label.group(1), label.group(2));
      }
      samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
    }
    return samples;
  }

  /** The value of {@code name} whose labels include {@code labels}; fails unless exactly one matches. */
  static double value(List<Sample> samples, String name, Map<String, String> labels) {
    List<Sample> found = samples.stream()
        .filter(s -> s.name.equals(name) && s.labels.entrySet().containsAll(labels.entrySet())).toList();
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " samples of " + name + " with " + labels + " in " + samples);
    }
    return found.get(0).value;
  }
}
