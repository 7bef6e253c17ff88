package io.etcdsnapshotter.inspect;

import io.etcdsnapshotter.bolt.BoltFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code meta/storageVersion} as etcdutl 3.6+ reads it for {@code snapshot status}
 * ({@code schema.ReadStorageVersionFromSnapshot}): go-semver's parse of the stored text, shown as go-semver prints it
 * back ("03.6.0" shows as "3.6.0"). A missing key or text go-semver refuses is no version at all, not an error.
 * Only etcd 3.6+ writes the key, so its presence is what marks a snapshot of 3.6+ storage. The restore's
 * {@code EtcdRelease} reads the same key more leniently on purpose: there it decides which server may start the
 * result, here it must print exactly what etcdutl prints.
 */
final class StorageVersion {
  private static final byte[] META = ascii("meta");
  private static final byte[] KEY = ascii("storageVersion");
  /** go-semver's reIdentifier, for the pre-release and build metadata parts. */
  private static final Pattern IDENTIFIER = Pattern.compile("[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*");
  private static final Pattern DIGITS = Pattern.compile("[0-9]+");

  private StorageVersion() {}

  /** The file's storage version as etcdutl 3.6 prints it, if it has one go-semver accepts. */
  static Optional<String> read(BoltFile bolt) throws IOException {
    Optional<byte[]> stored = bolt.get(META, KEY);
    return stored.isEmpty() ? Optional.empty() : parse(stored.get());
  }

  /**
   * go-semver v0.3.1 {@code Version.Set}: build metadata after the first '+', then a pre-release after the first
   * '-', then exactly three dot-separated base-10 int64s. ISO-8859-1 keeps every byte one char, so any non-ASCII
   * byte fails the patterns as it fails Go's.
   */
  static Optional<String> parse(byte[] stored) {
    String version = new String(stored, StandardCharsets.ISO_8859_1);
    String metadata = "";
    int plus = version.indexOf('+');
    if (plus >= 0) {
      metadata = version.substring(plus + 1);
      version = version.substring(0, plus);
    }
    String preRelease = "";
    int minus = version.indexOf('-');
    if (minus >= 0) {
      preRelease = version.substring(minus + 1);
      version = version.substring(0, minus);
    }
    String[] parts = version.split("\\.", -1);
    if (parts.length != 3 || !identifier(preRelease) || !identifier(metadata)) {
      return Optional.empty();
    }
    StringBuilder shown = new StringBuilder();
    for (String part : parts) {
      if (!DIGITS.matcher(part).matches()) {
        return Optional.empty();
      }
      try {
        shown.append(shown.length() == 0 ? "" : ".").append(Long.parseLong(part));
      } catch (NumberFormatException e) {
        return Optional.empty(); // beyond int64, as strconv.ParseInt refuses it
      }
    }
    shown.append(preRelease.isEmpty() ? "" : "-" + preRelease).append(metadata.isEmpty() ? "" : "+" + metadata);
    return Optional.of(shown.toString());
  }

  private static boolean identifier(String part) {
    return part.isEmpty() || IDENTIFIER.matcher(part).matches();
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
