package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Peer URLs as etcd parses them (types.NewURLs): http, https, unix or unixs; http(s) must be exactly host:port.
 * Each URL is kept in the form Go's url.String() prints, because that string goes into the member ID hash. Only
 * the subset of URLs whose Go form is known exactly is accepted (no user info, path, query or fragment).
 */
final class PeerUrls {
  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");
  private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.%\\w]+\\]|[^\\[\\]:/?#@]+):[0-9]+");

  private PeerUrls() {}

  /** Parses a list of URLs and sorts it by its string form, as etcd does before comparing or hashing. */
  static List<String> parseSorted(List<String> raw, String flag) {
    if (raw.isEmpty()) {
      throw new UsageException(flag + " has no URL; give at least one, e.g. http://10.0.0.1:2380");
    }
    List<String> urls = new ArrayList<>();
    for (String url : raw) {
      urls.add(canonical(url.strip(), flag));
    }
    urls.sort(null);
    return urls;
  }

  private static String canonical(String url, String flag) {
    int sep = url.indexOf("://");
    if (sep <= 0 || !SCHEME.matcher(url.substring(0, sep)).matches()) {
      throw bad(flag, url, "must look like http://host:port");
    }
    String scheme = url.substring(0, sep).toLowerCase(Locale.ROOT);
    String rest = url.substring(sep + 3);
    switch (scheme) {
      case "http", "https" -> {
        if (!HOST_PORT.matcher(rest).matches()) {
          throw bad(flag, url, "must be exactly " + scheme + "://host:port, with no path");
        }
      }
      case "unix", "unixs" -> {
        if (rest.isEmpty() || rest.contains("?") || rest.contains("#")) {
          throw bad(flag, url, "must be " + scheme + "://path with no query or fragment");
        }
      }
      default -> throw bad(flag, url, "scheme must be http, https, unix or unixs");
    }
    return scheme + "://" + rest;
  }

  private static UsageException bad(String flag, String url, String rule) {
    return new UsageException(flag + ": URL '" + url + "' " + rule);
  }
}
