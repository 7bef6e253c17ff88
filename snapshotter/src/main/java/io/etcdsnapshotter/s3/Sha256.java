package io.etcdsnapshotter.s3;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The digest every copy is recorded and checked with. */
final class Sha256 {
  private Sha256() {}

  static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }
}
