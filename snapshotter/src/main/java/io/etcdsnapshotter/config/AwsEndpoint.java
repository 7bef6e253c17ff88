package io.etcdsnapshotter.config;

import java.net.URI;
import java.net.URISyntaxException;

/** An EC2 API endpoint given by an operator (or a test pointing at moto); {@code what} names the setting. */
public final class AwsEndpoint {
  private AwsEndpoint() {}

  /** Null or blank: none (AWS's own). */
  public static URI parse(String text, String what) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      URI uri = new URI(text.trim());
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new URISyntaxException(text, "needs a scheme and a host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ConfigException(what + " '" + text + "' is not a URL like https://ec2.eu-west-1.amazonaws.com");
    }
  }
}
