package io.etcdsnapshotter.config;

import java.nio.file.Path;

/**
 * The restore drill after each cluster's snapshot: whether it runs, the existing directory it builds in, and at most
 * how many bytes it may write there ({@link Long#MAX_VALUE}: as many as the file system has free). The limit is for
 * scratch space with a quota the file system does not show, such as a pod's emptyDir with a sizeLimit: writing past
 * it gets the pod evicted.
 */
public record DrillConfig(boolean enabled, Path dir, long sizeLimit) {}
