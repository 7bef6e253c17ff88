package io.etcdsnapshotter.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdsnapshotter.UsageException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterTest {
  static final String THREE = "a=http://127.0.0.1:2380,b=http://127.0.0.1:2381,"
      + "c=https://10.0.0.3:2380,c=http://10.0.0.3:12380";

  static Cluster defaults() {
    return Cluster.bootstrap("default", "default=http://localhost:2380", "etcd-cluster", "http://localhost:2380");
  }

  static Cluster three() {
    return Cluster.bootstrap("c", THREE, "tok3", "https://10.0.0.3:2380,http://10.0.0.3:12380");
  }

  @Test
  void defaultFlagsGiveEtcdsIds() {
    Cluster cluster = defaults();
    assertThat(cluster.local().hexId()).isEqualTo("8e9e05c52164694d");
    assertThat(Long.toHexString(cluster.clusterId())).isEqualTo("cdf818194e3a8c32");
    assertThat(cluster.local().json())
        .isEqualTo("{\"id\":10276657743932975437,\"peerURLs\":[\"http://localhost:2380\"],\"name\":\"default\"}");
  }

  @Test
  void threeMembersAreSortedUnsignedWithEtcdsIds() {
    Cluster cluster = three();
    // IDs as etcdutl 3.5.35 and etcdctl 3.4.23 wrote them for these flags (see the golden WALs).
    assertThat(cluster.members()).extracting(Member::hexId)
        .containsExactly("20d7bc5963eecd2a", "7f5bbb2c810b5893", "94e75290f45f0a4b");
    assertThat(cluster.local().hexId()).isEqualTo("94e75290f45f0a4b");
    assertThat(cluster.local().peerUrls()).containsExactly("http://10.0.0.3:12380", "https://10.0.0.3:2380");
    assertThat(cluster.firstId()).isEqualTo(Long.parseUnsignedLong("20d7bc5963eecd2a", 16));
  }

  @Test
  void schemeIsLowerCasedAsGoPrintsIt() {
    Cluster cluster = Cluster.bootstrap("default", "default=HTTP://localhost:2380", "etcd-cluster",
        " http://localhost:2380 ");
    assertThat(cluster.local().hexId()).isEqualTo("8e9e05c52164694d");
  }

  @Test
  void badFlagsAreOneLineUsageErrors() {
    assertRejected("x", "default=http://localhost:2380", "http://localhost:2380", "--name 'x' is not in");
    assertRejected("default", "default=http://localhost:2380", "http://localhost:2381", "differ from");
    assertRejected("a", "a=http://h:1,b=http://h:1", "http://h:1", "more than once");
    assertRejected("a", ",,", "http://h:1", "--initial-cluster is empty");
    assertRejected("a", "a=http://h:1/", "http://h:1", "no path");
    assertRejected("a", "a=http://h", "http://h", "host:port");
    assertRejected("a", "a=ftp://h:1", "ftp://h:1", "scheme must be");
    assertRejected("a", "a", "http://h:1", "must look like");
    assertRejected("a", "a=http://h:1", "http://h:1,", "must look like");
  }

  @Test
  void unixUrlsAreAccepted() {
    assertThat(Cluster.bootstrap("a", "a=unix://peer.sock", "t", "unix://peer.sock").members()).hasSize(1);
  }

  private static void assertRejected(String name, String cluster, String advertise, String message) {
    assertThatThrownBy(() -> Cluster.bootstrap(name, cluster, "t", advertise))
        .isInstanceOf(UsageException.class).hasMessageContaining(message)
        .satisfies(e -> assertThat(List.of(e.getMessage().split("\n"))).hasSize(1));
  }
}
