package io.etcdsnapshotter.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/** The samples of a text exposition, {@code name{labels}} to value, as a scraper reads them. */
final class Samples {
  private Samples() {}

  static Map<String, Double> parse(String text) {
    Map<String, Double> samples = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split(" ");
      if (parts.length != 2) { // a third field would be a timestamp, which neither reader wants
        throw new AssertionError("not a sample without timestamp: " + line);
      }
      samples.put(parts[0], Double.parseDouble(parts[1]));
    }
    return samples;
  }
}
