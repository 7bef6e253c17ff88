package io.etcdsnapshotter;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256, which etcd's snapshot trailer, the snapshot index and the S3 copies all use; every JVM has it. */
public final class Sha256 {
  private Sha256() {}

  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }
}
