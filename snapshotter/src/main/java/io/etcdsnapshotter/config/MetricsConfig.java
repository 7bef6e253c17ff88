package io.etcdsnapshotter.config;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where a run's metrics go: a Pushgateway ({@code pushgateway}, its base URL) and/or a file in the node exporter's
 * textfile format ({@code textfile}, ending in {@code .prom}); each {@code null} when not configured.
 */
public record MetricsConfig(URI pushgateway, Path textfile) {
  public static final MetricsConfig NONE = new MetricsConfig(null, null);
}
