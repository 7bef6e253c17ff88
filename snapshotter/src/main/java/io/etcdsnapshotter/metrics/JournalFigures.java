package io.etcdsnapshotter.metrics;

import java.time.Instant;

/**
 * One running journal's figures: the newest revision it has made durable, and when it last made everything received
 * durable ({@code null} before the first time).
 */
public record JournalFigures(String cluster, long durableRevision, Instant syncedAt) {}
