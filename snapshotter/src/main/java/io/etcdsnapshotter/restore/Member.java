package io.etcdsnapshotter.restore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * One member of the restored cluster. Its ID is derived exactly as etcd derives it at bootstrap, so restoring
 * every member with the same flags gives the same IDs as etcdctl/etcdutl would.
 *
 * @param peerUrls sorted by string, in Go's url.String() form
 */
public record Member(long id, String name, List<String> peerUrls) {
  public Member {
    peerUrls = List.copyOf(peerUrls);
  }

  static Member of(String name, List<String> sortedPeerUrls, String token) {
    StringBuilder hashed = new StringBuilder();
    sortedPeerUrls.forEach(hashed::append);
    hashed.append(token);
    return new Member(first8BigEndian(sha1(hashed.toString().getBytes(StandardCharsets.UTF_8))), name, sortedPeerUrls);
  }

  /** etcd's types.ID.String(): lower-case hex, no padding; the key of the members bucket and of the v2 store. */
  public String hexId() {
    return Long.toHexString(id);
  }

  /** The Member JSON of etcd's json.Marshal(Member) for a member with no client URLs and no learner flag. */
  public String json() {
    return "{\"id\":" + Long.toUnsignedString(id) + "," + peerUrlsJsonField() + ",\"name\":" + GoJson.quote(name) + "}";
  }

  /** The v2 store's raftAttributes value: json.Marshal(RaftAttributes) with isLearner omitted. */
  String raftAttributesJson() {
    return "{" + peerUrlsJsonField() + "}";
  }

  private String peerUrlsJsonField() {
    StringBuilder json = new StringBuilder("\"peerURLs\":[");
    for (int i = 0; i < peerUrls.size(); i++) {
      json.append(i == 0 ? "" : ",").append(GoJson.quote(peerUrls.get(i)));
    }
    return json.append(']').toString();
  }

  static byte[] sha1(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this Java runtime", e);
    }
  }

  static long first8BigEndian(byte[] digest) {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (digest[i] & 0xFF);
    }
    return value;
  }
}
