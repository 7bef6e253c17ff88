package io.etcdsnapshotter.metrics;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A Pushgateway, spoken to as its API says: {@code PUT /metrics/job/JOB/LABEL/VALUE...} replaces the whole group of
 * that grouping key with the body, in the text format. (Prometheus's Java exporter for this is not published for the
 * client's current release, and the protocol is this one request.)
 */
final class Pushgateway {
  static final String JOB = "etcd-snapshotter";
  /** The journal's own job, so that its pushes and a snapshot run's never replace each other's groups. */
  static final String JOURNAL_JOB = "etcd-snapshotter-journal";
  /** A Pushgateway that hangs must not hold a run whose snapshots are done. */
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final URI base;
  private final String job;
  private final HttpClient http;

  Pushgateway(URI base, String job) {
    this.base = base;
    this.job = job;
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  /**
   * Replaces the group {@code job=JOB} plus {@code groupingKey} (in order) with {@code metrics}. The
   * values are cluster names (letters, digits, {@code .-_}), which need no escaping in a path.
   */
  void put(Map<String, String> groupingKey, MetricSnapshots metrics) throws IOException {
    StringBuilder path = new StringBuilder(base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", ""))
        .append("/metrics/job/").append(job);
    groupingKey.forEach((label, value) -> path.append('/').append(label).append('/').append(value));
    URI uri = base.resolve(path.toString());
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
        .header("Content-Type", Exposition.CONTENT_TYPE)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(Exposition.text(metrics))).build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while pushing to " + uri, e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new IOException("Pushgateway " + uri + " answered HTTP " + response.statusCode()
          + response.body().strip().lines().findFirst().map(line -> ": " + line).orElse(""));
    }
  }
}
