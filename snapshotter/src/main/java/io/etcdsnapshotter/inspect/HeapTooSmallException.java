package io.etcdsnapshotter.inspect;

import java.io.IOException;

/**
 * The live-key count of etcdutl 3.6+ semantics outgrew the heap. The file may be perfectly sound: a caller that
 * needs the rest of the status more than the count can read it again with {@link StatusSemantics#ETCD_35}.
 */
public final class HeapTooSmallException extends IOException {
  private final String storageVersion;

  HeapTooSmallException(String message, String storageVersion) {
    super(message);
    this.storageVersion = storageVersion;
  }

  /** The file's storage version as etcdutl 3.6 shows it: the one part of the 3.6 status the 3.5 one lacks. */
  public String storageVersion() {
    return storageVersion;
  }
}
