package io.etcdsnapshotter.config;

import java.nio.file.Path;
import java.util.List;

/**
 * What the command line says; {@code null} (or an empty list) means "not given", so the config file or the
 * default decides. {@code clusters} holds {@code NAME=URL[,URL...]} as typed; {@code clusterName} is the Kubernetes
 * cluster's name, the identity of its EBS snapshots. {@code drill} and {@code drillDir} are {@code --drill} and
 * {@code --drill-dir}; {@code pushgateway} and {@code metricsTextfile} say where the run's metrics go;
 * {@code rateLimit} is {@code --rate-limit} as typed.
 */
public record SnapshotSettings(
    Path configFile,
    Path dir,
    Integer keep,
    String dialTimeout,
    String commandTimeout,
    List<String> clusters,
    TlsFiles tls,
    String user,
    Path passwordFile,
    String clusterName, Boolean allowClusterChange,
    Boolean drill,
    Path drillDir,
    String pushgateway,
    Path metricsTextfile,
    String rateLimit) {}
