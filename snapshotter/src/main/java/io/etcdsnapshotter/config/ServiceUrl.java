package io.etcdsnapshotter.config;

import java.net.URI;
import java.net.URISyntaxException;

/** The URL of a service an operator names (an EC2 endpoint, a Pushgateway); {@code what} names the setting. */
public final class ServiceUrl {
  public static final String EC2_EXAMPLE = "https://ec2.eu-west-1.amazonaws.com";
  public static final String KMS_EXAMPLE = "https://kms.eu-west-1.amazonaws.com";
  public static final String S3_EXAMPLE = "https://s3.eu-west-1.amazonaws.com";

  private ServiceUrl() {}

  /** Null or blank: none. {@code example} is a URL of the right kind, for the message. */
  public static URI parse(String text, String what, String example) {
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
      throw new ConfigException(what + " '" + text + "' is not a URL like " + example);
    }
  }
}
