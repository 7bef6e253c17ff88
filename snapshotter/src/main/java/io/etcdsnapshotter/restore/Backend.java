package io.etcdsnapshotter.restore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Names and encodings of etcd's backend schema that a restore reads or writes. */
final class Backend {
  static final byte[] KEY = ascii("key");
  static final byte[] META = ascii("meta");
  static final byte[] MEMBERS = ascii("members");
  static final byte[] MEMBERS_REMOVED = ascii("members_removed");
  static final byte[] CLUSTER = ascii("cluster");
  static final byte[] LEASE = ascii("lease");
  static final byte[] CONSISTENT_INDEX = ascii("consistent_index");
  static final byte[] TERM = ascii("term");
  static final byte[] SCHEDULED_COMPACT = ascii("scheduledCompactRev");
  static final byte[] STORAGE_VERSION = ascii("storageVersion");
  static final byte[] CLUSTER_VERSION = ascii("clusterVersion");

  private Backend() {}

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] bigEndian(long value) {
    return ByteBuffer.allocate(8).putLong(value).array();
  }

  /** The length of an MVCC revision key (a tombstone adds one byte). */
  static final int REVISION_BYTES = 17;

  /** An MVCC revision key: BE64(main) '_' BE64(sub). */
  static byte[] revision(long main) {
    return revision(main, 0);
  }

  static byte[] revision(long main, long sub) {
    return ByteBuffer.allocate(REVISION_BYTES).putLong(main).put((byte) '_').putLong(sub).array();
  }

  /** The revision key of a deletion: the revision followed by 't'. */
  static byte[] tombstone(long main, long sub) {
    return ByteBuffer.allocate(REVISION_BYTES + 1).put(revision(main, sub)).put((byte) 't').array();
  }
}
