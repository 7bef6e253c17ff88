package io.etcdsnapshotter.bolt;

/**
 * What a full structural scan found: pages in use (reachable from the root, overflow pages included, meta pages
 * excluded), free pages below the high-water mark, top-level buckets and key/value pairs over all of them.
 */
public record ScanSummary(long reachablePages, long freePages, long buckets, long keys) {}
