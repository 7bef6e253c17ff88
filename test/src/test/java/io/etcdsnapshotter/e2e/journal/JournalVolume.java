package io.etcdsnapshotter.e2e.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.PutOption;
import io.etcdsnapshotter.aws.MotoServer;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Etcdctl;
import io.etcdsnapshotter.e2e.etcd.Keyspace;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import io.etcdsnapshotter.e2e.restore.RestoredCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A snapshot volume in {@code dir}/volume of one source cluster (as {@code main}, with auth), filled by the jar's
 * snapshot and journal commands, and restores from it (from the volume's file, or from one snapshot of it named)
 * into one member or several, served by real etcd of the source's release, compared with the source at the same
 * revision.
 */
final class JournalVolume {
  static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern REVISION = Pattern.compile("\"revision\" : (\\d+)");
  private static final Pattern SEGMENT = Pattern.compile("([0-9a-f]{16})-[0-9a-f]{16}\\.journal");

  private final EtcdVersion version;
  private final Path dir;
  private final EtcdCluster source;
  /** Credentials for KMS, and the flags that write and read with it; none for a plain volume. */
  private final Map<String, String> environment;
  private final List<String> writeFlags;
  private final List<String> readFlags;

  /** The etcd endpoints the snapshot and journal commands are given: the source's, or a proxy's to it. */
  private final String endpoints;

  JournalVolume(EtcdVersion version, Path dir, EtcdCluster source) {
    this(version, dir, source, source.endpoints(), Map.of(), List.of(), List.of());
  }

  private JournalVolume(EtcdVersion version, Path dir, EtcdCluster source, String endpoints,
      Map<String, String> environment, List<String> writeFlags, List<String> readFlags) {
    this.version = version;
    this.dir = dir;
    this.source = source;
    this.endpoints = endpoints;
    this.environment = environment;
    this.writeFlags = writeFlags;
    this.readFlags = readFlags;
  }

  /** The same volume with snapshots and journal encrypted under {@code keyArn}, a key of {@code moto}'s KMS. */
  JournalVolume encrypted(MotoServer moto, String keyArn) throws IOException {
    Path config = Files.writeString(dir.resolve("encrypted.yaml"), "encryption:\n  kmsKeyId: " + keyArn
        + "\n  endpoint: " + moto.endpoint() + "\n");
    return new JournalVolume(version, dir, source, endpoints, MotoServer.CREDENTIALS,
        List.of("--config", config.toString()), List.of("--kms-endpoint", moto.endpoint().toString()));
  }

  /** The same volume, its snapshot and journal commands reaching {@code source} through {@code proxyEndpoints}. */
  JournalVolume via(String proxyEndpoints) {
    return new JournalVolume(version, dir, source, proxyEndpoints, environment, writeFlags, readFlags);
  }

  /** A read-only command of the jar (status, verify) on the volume, with KMS access when it is encrypted. */
  ProcessResult read(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(readFlags);
    return Jar.run(environment, all.toArray(String[]::new));
  }

  Path volume() {
    return dir.resolve("volume");
  }

  Path journalDir() {
    return volume().resolve("journal/main");
  }

  Path snapshotFile() {
    return volume().resolve("snapshot.db");
  }

  ProcessResult snapshot(String... extra) {
    List<String> args = new ArrayList<>(List.of("snapshot", "--dir", volume().toString()));
    args.addAll(List.of(extra));
    ProcessResult saved = Jar.run(environment, withAuth(args.toArray(String[]::new)));
    assertThat(saved.exitCode()).as(saved.toString()).isZero();
    return saved;
  }

  RunningProcess startJournal(String... extra) {
    return startJournalVia(endpoints, extra);
  }

  /** The journal reaching the source through {@code endpoints} (a proxy to it). */
  RunningProcess startJournalVia(String endpoints, String... extra) {
    List<String> args = new ArrayList<>(List.of("journal", "--dir", volume().toString(), "--fsync-interval", "200ms",
        "--segment-size-mib", "1"));
    args.addAll(List.of(extra));
    return Jar.start(environment, withAuth(endpoints, args.toArray(String[]::new)));
  }

  /** The journal started and following: it logs where it starts just before it creates its watch. */
  RunningProcess follow(String... extra) {
    RunningProcess journal = startJournal(extra);
    Polling.await("the journal following", WAIT, () -> journal.stderr().contains("following from revision"),
        journal::stderr);
    return journal;
  }

  /** Stops the journal by SIGTERM and checks it made everything up to {@code last} durable. */
  static void stop(RunningProcess journal, long last) {
    journal.stop(WAIT);
    ProcessResult stopped = journal.await(WAIT);
    assertThat(stopped.exitCode()).as(stopped.toString()).isZero();
    assertThat(stopped.stdout()).contains("durable up to revision " + last);
  }

  private String[] withAuth(String... args) {
    return withAuth(endpoints, args);
  }

  private String[] withAuth(String endpoints, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(writeFlags);
    all.addAll(List.of("--cluster", "main=" + endpoints, "--user", EtcdCluster.USER, "--password-file",
        EtcdCluster.writePasswordFile(dir.resolve("password")).toString()));
    return all.toArray(String[]::new);
  }

  /** The revision snapshots.json records for the one cluster's newest snapshot. */
  long snapshotRevision() {
    try {
      Matcher m = REVISION.matcher(Files.readString(volume().resolve("snapshots.json")));
      assertThat(m.find()).isTrue();
      return Long.parseLong(m.group(1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The one older snapshot the volume keeps (--keep 1). */
  Path onlyGeneration() throws IOException {
    try (Stream<Path> files = Files.list(volume().resolve("generations"))) {
      List<Path> all = files.filter(f -> f.getFileName().toString().endsWith(".db")).toList();
      assertThat(all).hasSize(1);
      return all.get(0);
    }
  }

  /** The base revisions of the chains in the journal dir, from the segments' names. */
  Set<Long> chainBases() {
    Set<Long> bases = new TreeSet<>();
    try (Stream<Path> files = Files.list(journalDir())) {
      for (Path file : files.toList()) {
        Matcher m = SEGMENT.matcher(file.getFileName().toString());
        if (m.matches()) {
          bases.add(Long.parseLong(m.group(1), 16));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bases;
  }

  static List<String> toRevision(long revision) {
    return List.of("--to-revision", Long.toString(revision));
  }

  /** A restore of the volume's snapshot.db to {@code target} into {@code node}'s data dir, a one-member cluster. */
  ProcessResult restore(List<String> target, RestoredCluster.Node node, String... extra) {
    return restore(snapshotFile(), target, node, List.of(node), List.of(extra));
  }

  /**
   * A restore from {@code snapshot}: the volume's file (its journal and generations found beside it), or another
   * file such as one generation, given the volume's journal and so restored from that snapshot alone; into
   * {@code node}, one of the {@code members} of the restored cluster.
   */
  private ProcessResult restore(Path snapshot, List<String> target, RestoredCluster.Node node,
      List<RestoredCluster.Node> members, List<String> extra) {
    List<String> args = new ArrayList<>(List.of("restore", snapshot.toString()));
    if (!snapshot.equals(snapshotFile())) {
      args.addAll(List.of("--journal", journalDir().toString()));
    }
    args.addAll(target);
    args.addAll(List.of("--name", node.name(), "--data-dir", node.dataDir().toString(),
        "--initial-cluster", RestoredCluster.initialCluster(members),
        "--initial-advertise-peer-urls", node.peerUrl()));
    args.addAll(extra);
    return read(args.toArray(String[]::new));
  }

  /** A restore to {@code revision} into {@code dataDir}, for a restore expected to fail or a dry run. */
  ProcessResult restore(long revision, Path dataDir, String... extra) {
    RestoredCluster.Node planned = RestoredCluster.plan(dir, 1).get(0);
    return restore(toRevision(revision), new RestoredCluster.Node(planned.name(), planned.clientPort(),
        planned.peerPort(), dataDir), extra);
  }

  /**
   * A restore to {@code revision} is refused, with nothing written, in one line saying {@code why} and naming the
   * revisions that can be restored, {@code restorable}.
   */
  void assertRefused(long revision, String why, String restorable) {
    Path target = dir.resolve("refused-" + revision);
    ProcessResult refused = restore(revision, target);
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
    assertThat(Jar.messages(refused)).singleElement().asString().contains(why)
        .contains(" can restore " + restorable + "; give a revision in those");
    assertThat(target).doesNotExist();
  }

  /** Waits until a dry-run restore to {@code revision} succeeds: the journal has made it durable. */
  void awaitDurable(long revision, RunningProcess journal) {
    Polling.await("the journal durable up to " + revision, WAIT,
        () -> restore(revision, dir.resolve("probe"), "--dry-run").exitCode() == 0, journal::stderr);
  }

  /** A member restored to {@code revision} and started serves the source's keyspace at that revision, same HashKV. */
  ProcessResult assertRestoredAsAt(long revision) throws Exception {
    return assertRestoredAsAt(revision, toRevision(revision), etcdctl -> { });
  }

  /** As above, restored from {@code snapshot} (an older generation) and the journal's chain that continues it. */
  ProcessResult assertRestoredAsAt(long revision, Path snapshot) throws Exception {
    return assertRestoredAsAt(revision, snapshot, toRevision(revision), 1, List.of(), etcdctl -> { });
  }

  /**
   * As above, restored with the {@code target} flags, which must come to {@code revision}; {@code alsoCheck} is run
   * against the restored member while it serves. Returns the restore's result.
   */
  ProcessResult assertRestoredAsAt(long revision, List<String> target, Consumer<Etcdctl> alsoCheck)
      throws Exception {
    return assertRestoredAsAt(revision, snapshotFile(), target, 1, List.of(), alsoCheck);
  }

  /**
   * As above, to {@code revision} into a cluster of {@code members} members, each restored with {@code extra} flags
   * as well; {@code alsoCheck} is run against the first member once every member has been checked. Returns the
   * last member's restore.
   */
  ProcessResult assertRestoredAsAt(long revision, int members, List<String> extra, Consumer<Etcdctl> alsoCheck)
      throws Exception {
    return assertRestoredAsAt(revision, snapshotFile(), toRevision(revision), members, extra, alsoCheck);
  }

  private ProcessResult assertRestoredAsAt(long revision, Path snapshot, List<String> target, int members,
      List<String> extra, Consumer<Etcdctl> alsoCheck) throws Exception {
    Path at = Files.createDirectories(dir.resolve("at-" + revision + "-" + System.nanoTime()));
    List<RestoredCluster.Node> nodes = RestoredCluster.plan(at, members);
    ProcessResult restored = null;
    for (RestoredCluster.Node node : nodes) {
      restored = restore(snapshot, target, node, nodes, extra);
      assertThat(restored.exitCode()).as(restored.toString()).isZero();
    }
    try (RestoredCluster cluster = RestoredCluster.start(version, nodes, at); Client sourceClient = source.client()) {
      Map<String, String> expected = Keyspace.dump(sourceClient, revision);
      assertThat(expected).isNotEmpty();
      for (RestoredCluster.Node node : nodes) {
        try (Client client = cluster.client(node)) {
          assertThat(Keyspace.dump(client)).as("keyspace of " + node.name() + " at " + revision).isEqualTo(expected);
        }
      }
      // A bump starts a new history above the restored revision, compacted below it: its HashKV is no longer the
      // source's, so then the members are compared with each other only. The source's HashKV covers what its last
      // compaction kept, so a member is compacted alike first.
      boolean bumped = extra.contains("--bump-revision");
      long compacted = bumped ? 0 : source.etcdctl().compactRevision();
      Set<Long> hashes = new HashSet<>();
      for (RestoredCluster.Node node : nodes) {
        Etcdctl etcdctl = cluster.etcdctl(node);
        if (compacted > etcdctl.compactRevision()) {
          etcdctl.ok("compaction", "--physical", Long.toString(compacted));
        }
        hashes.add(etcdctl.hashKv(bumped ? 0 : revision));
      }
      assertThat(hashes).as("HashKV of every member").hasSize(1);
      if (!bumped) {
        assertThat(hashes).as("HashKV at " + revision).containsExactly(source.etcdctl().hashKv(revision));
      }
      alsoCheck.accept(cluster.etcdctl(nodes.get(0)));
    }
    return restored;
  }

  static long put(Client client, String key, String value) throws Exception {
    return client.getKVClient().put(bytes(key), bytes(value)).get(60, TimeUnit.SECONDS).getHeader().getRevision();
  }

  /** A put for a writer thread, whose failure ends the thread. */
  static void uncheckedPut(Client client, String key, String value) {
    try {
      put(client, key, value);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static long put(Client client, String key, String value, long lease) throws Exception {
    return client.getKVClient().put(bytes(key), bytes(value), PutOption.builder().withLeaseId(lease).build())
        .get(60, TimeUnit.SECONDS).getHeader().getRevision();
  }

  static long grant(Client client, long ttl) throws Exception {
    return client.getLeaseClient().grant(ttl).get(60, TimeUnit.SECONDS).getID();
  }

  static String attachedKeys(Etcdctl etcdctl, long lease) {
    return etcdctl.ok("lease", "timetolive", Long.toHexString(lease), "--keys");
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
