package io.etcdsnapshotter.config;

import java.net.URI;
import java.nio.file.Path;

/** The {@code metrics:} section of the config file under {@code --pushgateway} and {@code --metrics-textfile}. */
final class MetricsConfigLoader {
  /** The node exporter's textfile collector reads only files named so: any other name would never be scraped. */
  static final String TEXTFILE_SUFFIX = ".prom";

  private MetricsConfigLoader() {}

  static MetricsConfig load(SnapshotSettings flags, ConfigFile.Metrics file) {
    ConfigFile.Metrics fromFile = file == null ? new ConfigFile.Metrics() : file;
    String where = flags.pushgateway() != null ? "--pushgateway" : "metrics.pushgateway";
    URI pushgateway = ServiceUrl.parse(flags.pushgateway() != null ? flags.pushgateway() : fromFile.pushgateway,
        where, "http://pushgateway.monitoring:9091");
    if (pushgateway != null && !(pushgateway.getScheme().equals("http") || pushgateway.getScheme().equals("https"))
        || pushgateway != null && (pushgateway.getQuery() != null || pushgateway.getFragment() != null)) {
      throw new ConfigException(where + " '" + pushgateway + "' must be an http:// or https:// URL without a query,"
          + " like http://pushgateway.monitoring:9091");
    }
    Path textfile = flags.metricsTextfile() != null ? flags.metricsTextfile()
        : fromFile.textfile == null || fromFile.textfile.isBlank() ? null : Path.of(fromFile.textfile);
    if (textfile != null && (textfile.getFileName() == null
        || !textfile.getFileName().toString().endsWith(TEXTFILE_SUFFIX))) {
      throw new ConfigException((flags.metricsTextfile() != null ? "--metrics-textfile" : "metrics.textfile") + " '"
          + textfile + "' must name a file ending in " + TEXTFILE_SUFFIX + ": the node exporter's textfile collector"
          + " reads no other, e.g. /var/lib/node_exporter/textfile/etcd-snapshotter.prom");
    }
    return new MetricsConfig(pushgateway, textfile);
  }
}
