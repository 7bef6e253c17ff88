package io.etcdsnapshotter.replace;

/** A replacement step that would endanger the cluster, or cannot be done from here: the message says why and what to do. */
public final class ReplacementRefused extends RuntimeException {
  ReplacementRefused(String message) {
    super(message);
  }
}
