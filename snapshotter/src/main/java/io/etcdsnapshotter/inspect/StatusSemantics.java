package io.etcdsnapshotter.inspect;

import java.util.Arrays;
import java.util.Optional;

/**
 * Whose {@code snapshot status} to reproduce. etcdutl 3.6 changed what {@code totalKey} means and added
 * {@code version}; operators compare our numbers with the tool that matches their etcd, so by default a file gets
 * the semantics of the etcd that wrote it, told by its storage version.
 */
public enum StatusSemantics {
  /** etcdutl of the file's own storage version: {@link #ETCD_36} if meta/storageVersion parses, else {@link #ETCD_35}. */
  AUTO("auto"),
  /** etcdctl 3.4 and etcdutl 3.5: totalKey counts the pairs of every bucket; no version. */
  ETCD_35("3.5"),
  /** etcdutl 3.6 and 3.7: totalKey counts the live user keys; version is the storage version ("" if none). */
  ETCD_36("3.6");

  private final String flag;

  StatusSemantics(String flag) {
    this.flag = flag;
  }

  /** How {@code --semantics} names it. */
  public String flag() {
    return flag;
  }

  /** The semantics {@code --semantics TEXT} names, if any. */
  public static Optional<StatusSemantics> ofFlag(String text) {
    return Arrays.stream(values()).filter(s -> s.flag.equals(text)).findFirst();
  }

  /** {@link #AUTO} made concrete for a file with this storage version (as {@link StorageVersion} reads it). */
  StatusSemantics resolve(Optional<String> storageVersion) {
    return this != AUTO ? this : storageVersion.isPresent() ? ETCD_36 : ETCD_35;
  }
}
