package io.etcdsnapshotter.metrics;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The Prometheus text format (0.0.4) of some metrics, as Prometheus's client writes it: what the node exporter's
 * textfile collector reads and what a Pushgateway accepts. No timestamps: both take the time they read the values.
 */
final class Exposition {
  static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private Exposition() {}

  static byte[] text(MetricSnapshots metrics) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.builder().setIncludeCreatedTimestamps(false).build()
          .write(out, metrics, EscapingScheme.UNDERSCORE_ESCAPING);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array takes every write
    }
    return out.toByteArray();
  }
}
