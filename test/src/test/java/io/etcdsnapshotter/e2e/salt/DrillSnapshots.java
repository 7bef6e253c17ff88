package io.etcdsnapshotter.e2e.salt;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Json;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.Processes;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the recovery drill restores from: a real etcd main filled by the loader of scripts/etcd/loader (as
 * scripts/bench fills it) and a small events etcd, both snapshotted by the jar into one directory, then killed and
 * their data dirs deleted: the disaster.
 */
final class DrillSnapshots {
  /** etcd's default quota (2 GiB) is below an 8 GiB-class database; scripts/bench gives its server the same. */
  private static final String QUOTA = "--quota-backend-bytes=" + (16L << 30);
  private static final Duration LOADING = Duration.ofHours(3);
  private static final Duration SAVING = Duration.ofHours(1);

  /** One cluster's snapshot file and what its etcd held when the file was taken. */
  record Taken(String cluster, Path file, long keys, long revision) {
    long mebibytes() {
      try {
        return Files.size(file) >> 20;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private DrillSnapshots() {}

  /** Fills, snapshots and destroys main ({@code mainBytes} of 4 KiB values) and events (1 KiB values). */
  static List<Taken> take(EtcdVersion version, long mainBytes, long eventsBytes, Path dir) {
    try (EtcdCluster main = EtcdCluster.start(version, 1, Security.PLAIN, List.of(QUOTA));
        EtcdCluster events = EtcdCluster.start(version, 1, Security.PLAIN)) {
      load(version, main, mainBytes, 4096, "/registry/drill/");
      load(version, events, eventsBytes, 1024, "/registry/events/drill/");
      Taken mainTaken = new Taken("main", dir.resolve("snapshot.db"), main.etcdctl().keyCount(),
          main.etcdctl().revision());
      Taken eventsTaken = new Taken("events", dir.resolve("snapshot-events.db"), events.etcdctl().keyCount(),
          events.etcdctl().revision());
      Instant start = Instant.now();
      try (RunningProcess snapshot = Jar.start("snapshot", "--dir", dir.toString(),
          "--cluster", "main=" + main.endpoints(), "--cluster", "events=" + events.endpoints())) {
        snapshot.await(SAVING).orThrow();
      }
      System.out.printf("drill: both snapshots taken in %.1f s%n", seconds(start));
      return List.of(checked(mainTaken), checked(eventsTaken));
    }
  }

  static double seconds(Instant since) {
    return Duration.between(since, Instant.now()).toMillis() / 1000.0;
  }

  private static void load(EtcdVersion version, EtcdCluster cluster, long bytes, int valueSize, String prefix) {
    System.out.printf("drill: loading %d MiB into etcd %s at %s%n", bytes >> 20, version.release(),
        cluster.endpoints());
    String loaded = Processes.run(List.of(version.binary("loader").toString(), "--endpoints", cluster.endpoints(),
        "--bytes", Long.toString(bytes), "--value-size", Integer.toString(valueSize), "--prefix", prefix), LOADING)
        .orThrow().stdout();
    System.out.print("drill: " + loaded);
  }

  /** The file as `status` reads it must hold what etcd held, or the drill would time a restore of the wrong data. */
  private static Taken checked(Taken taken) {
    JsonNode status = Json.parse(Jar.run("status", "-w", "json", taken.file().toString()).orThrow().stdout());
    long keys = status.path("totalKey").asLong();
    long revision = status.path("revision").asLong();
    if (keys != taken.keys() || revision != taken.revision()) {
      throw new AssertionError(taken.file() + " holds " + keys + " keys at revision " + revision + " but etcd "
          + taken.cluster() + " held " + taken.keys() + " at " + taken.revision() + " when it was taken");
    }
    System.out.printf("drill: %s: %d MiB, %d keys at revision %d%n", taken.file().getFileName(), taken.mebibytes(),
        keys, revision);
    return taken;
  }
}
