package io.etcdsnapshotter.e2e.salt;

import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Etcdctl;
import io.etcdsnapshotter.testing.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * One master of a multi-master Salt setup on loopback, with etcd main and events. Masters are 127.0.0.1 to N, so the
 * peer ports are the same on all of them, as on real masters; client ports are per master because loopback is shared.
 */
record Master(String name, SaltCall salt, String pillar, String mainUrl, String eventsUrl) {

  /** {@code count} masters, each with its Salt root under {@code root}, running etcd {@code release}. */
  static Master[] onLoopback(Path root, String release, int count) throws IOException {
    // All at once, so that no two are the same port.
    Iterator<Integer> ports = FreePorts.allocate(2 + 2 * count).iterator();
    int mainPeer = ports.next();
    int eventsPeer = ports.next();
    StringBuilder members = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      members.append("    - {name: master-").append(i).append(", address: 127.0.0.").append(i).append("}\n");
    }
    Master[] masters = new Master[count];
    for (int i = 1; i <= count; i++) {
      int mainClient = ports.next();
      int eventsClient = ports.next();
      // main's quota is above the 8 GiB-class database of the recovery drill, which must accept a write once restored.
      String pillar = """
          etcd:
            version: '%s'
            member_name: master-%d
            advertise_address: 127.0.0.%d
            members:
          %s  clusters:
              main: {client_port: %d, peer_port: %d, quota_backend_bytes: 17179869184}
              events: {client_port: %d, peer_port: %d}
          etcd_restore:
            stop_timeout_seconds: 30
          """.formatted(release, i, i, members, mainClient, mainPeer, eventsClient, eventsPeer);
      masters[i - 1] = new Master("master-" + i, new SaltCall(root.resolve("master-" + i), "master-" + i), pillar,
          "http://127.0.0.1:" + mainClient, "http://127.0.0.1:" + eventsClient);
    }
    return masters;
  }

  /** The client URL of this master's member of {@code cluster} (main or events). */
  URI clientUrl(String cluster) {
    return URI.create(cluster.equals("main") ? mainUrl : eventsUrl);
  }

  /** etcdctl of {@code version} against this master's member of {@code cluster} (main or events). */
  Etcdctl etcdctl(EtcdVersion version, String cluster) {
    return Etcdctl.plain(version, clientUrl(cluster));
  }
}
