package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.config.ConfigException;
import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.encryption.RememberedKeys;
import io.etcdsnapshotter.restore.BaseSnapshot;
import io.etcdsnapshotter.restore.Cluster;
import io.etcdsnapshotter.restore.DataDirRestore;
import io.etcdsnapshotter.restore.PointInTime;
import io.etcdsnapshotter.restore.RemoteSnapshot;
import io.etcdsnapshotter.restore.RestoreRequest;
import io.etcdsnapshotter.restore.RestoreResult;
import io.etcdsnapshotter.s3.ObjectDownload;
import io.etcdsnapshotter.s3.S3;
import io.etcdsnapshotter.s3.S3Location;
import io.etcdsnapshotter.volume.KeptSnapshots;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Writes one member's etcd data dir from a snapshot file, natively (no etcd binary), as etcdutl of the"
          + " snapshot's release would: the old membership is dropped, the new members come from the flags below,"
          + " and the storage version is kept, so etcd of the snapshot's release or newer (3.4 to 3.7) starts"
          + " from the result.",
      "Restore every member of a cluster from the same file with the same --initial-cluster and token. Use a new"
          + " --initial-cluster-token unless you mean to rebuild the old cluster's identity.",
      "For Kubernetes, add --bump-revision 1000000 --mark-compacted so watch caches see a compaction instead of"
          + " revisions going backwards.",
      "The data dir is built in a scratch dir on the target's file system and moved into place only when complete"
          + " and read back; an empty target (even a mount point) is filled in place.",
      "An encrypted snapshot (config encryption.kmsKeyId) is decrypted once, straight into the new db, with its data"
          + " key from KMS (kms:Decrypt on the key its header names); a damaged, truncated or wrong-key file fails"
          + " before the data dir is moved into place.",
      "From s3:// the object is downloaded onto the data dir's file system first (it needs its size free besides),"
          + " checked against the SHA-256 its metadata records, and deleted once restored; a damaged object is one"
          + " line and nothing is written.",
      "With --to-revision (or --to-time) the data dir holds the cluster as it was at that revision: a full"
          + " snapshot, then every revision after it from the journal the journal command wrote, and the leases"
          + " alive then with their granted TTL, so keys come back attached to them. Give FILE as the volume's"
          + " snapshot (DIR/snapshot.db, DIR/snapshot-events.db): the restore starts from the newest of it and its"
          + " generations (DIR/generations) at or before the target whose journal chain (DIR/journal/CLUSTER)"
          + " reaches the target. A target no chain reaches (a gap between chains included) is refused in one line"
          + " naming the revisions that can be restored; so is a key attached at that revision to a lease the"
          + " journal never saw granted; nothing is written.",
      "Exit codes: 0 restored, 1 failed (nothing left at the target), 2 usage error."
    })
final class RestoreCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "Snapshot file (from `snapshot` or etcdctl); or"
      + " s3://BUCKET/KEY, a copy the snapshot command made (.../CLUSTER-NAME/CLUSTER/latest: the newest), downloaded"
      + " beside the data dir into a private scratch file, checked against its recorded SHA-256 and deleted after.")
  String snapshot;

  @Mixin S3Options s3;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Data dir to create; must be absent or empty (default: <name>.etcd).")
  Path dataDir;

  @Option(names = "--wal-dir", paramLabel = "DIR",
      description = "Separate WAL dir; etcd must then be started with the same --wal-dir.")
  Path walDir;

  @Option(names = "--name", paramLabel = "NAME", defaultValue = "default",
      description = "This member's name in --initial-cluster (default: ${DEFAULT-VALUE}).")
  String name;

  @Option(names = "--initial-cluster", paramLabel = "NAME=URL,...", defaultValue = "default=http://localhost:2380",
      description = "Every member's peer URLs (default: ${DEFAULT-VALUE}).")
  String initialCluster;

  @Option(names = "--initial-cluster-token", paramLabel = "TOKEN", defaultValue = "etcd-cluster",
      description = "Part of every member ID and so of the cluster ID (default: ${DEFAULT-VALUE}).")
  String token;

  @Option(names = "--initial-advertise-peer-urls", paramLabel = "URL,...", defaultValue = "http://localhost:2380",
      description = "This member's peer URLs; must equal its --initial-cluster URLs (default: ${DEFAULT-VALUE}).")
  String advertisePeerUrls;

  @Option(names = "--skip-hash-check",
      description = "Restore a file without etcd's SHA-256 trailer (a db copied from a data dir).")
  boolean skipHashCheck;

  @Option(names = "--bump-revision", paramLabel = "N", defaultValue = "0",
      description = "Raise the revision by N (needs --mark-compacted).")
  long bumpRevision;

  @Option(names = "--mark-compacted", description = "Mark every revision below the bumped one compacted.")
  boolean markCompacted;

  @Option(names = "--dry-run",
      description = "Build and check the data dir, then delete it again: proves the file restorable.")
  boolean dryRun;

  @Option(names = "--to-revision", paramLabel = "N",
      description = "Restore the cluster as it was at revision N: a snapshot plus the journal's revisions up to N.")
  Long toRevision;

  @Option(names = "--to-time", paramLabel = "TIME",
      description = "Instead of --to-revision: restore to the newest revision the journal had received by TIME"
          + " (ISO-8601 UTC, e.g. 2026-12-01T13:20:00Z; the journal stamps what it has received at each fsync).")
  Instant toTime;

  @Option(names = "--journal", paramLabel = "DIR",
      description = "The cluster's journal dir, with --to-revision or --to-time (default: journal/CLUSTER beside a"
          + " FILE named as the volume's, snapshot.db for main, snapshot-CLUSTER.db for another).")
  Path journal;

  @Mixin EtcdVersionOption etcdVersion;

  @Mixin KmsOption kms;

  private RestoreRequest request(Path file, Path target, Cluster cluster, RemoteSnapshot remote,
      PointInTime pointInTime, DataKeys keys) {
    return new RestoreRequest(file, target, walDir, cluster, skipHashCheck, bumpRevision, dryRun,
        etcdVersion.release(), keys, remote, pointInTime);
  }

  /** The journal dir given, or the one beside the volume's snapshot file. */
  private Path journalDir() throws ConfigException {
    Path dir = journal != null ? journal
        : S3Location.named(snapshot) ? null : KeptSnapshots.journalDir(Path.of(snapshot).toAbsolutePath());
    if (dir == null) {
      throw new ConfigException("--to-revision and --to-time need --journal DIR when FILE (" + snapshot + ") is not"
          + " a snapshot volume's snapshot.db or snapshot-CLUSTER.db");
    }
    return dir;
  }

  /**
   * Where the journal takes the object {@code found} to: only chains of the object's etcd cluster continue it, and a
   * time must fall in that cluster's history.
   */
  private PointInTime pointAfter(ObjectDownload.Found found, Path journalDir, DataKeys keys) throws IOException {
    if (toTime == null) {
      return new PointInTime(journalDir, toRevision, keys, found.clusterId());
    }
    BaseSnapshot.Received at = BaseSnapshot.receivedBy(journalDir, toTime, keys);
    if (!KeptSnapshots.sameCluster(found.clusterId(), at.clusterId())) {
      throw new IOException("at " + toTime + " the journal in " + journalDir + " followed etcd cluster "
          + at.clusterId() + " (revision " + at.revision() + "), but " + found.location() + " is a snapshot of"
          + " cluster " + found.clusterId() + ": name a copy of cluster " + at.clusterId() + " taken before then");
    }
    return new PointInTime(journalDir, at.revision(), keys,
        found.clusterId() != null ? found.clusterId() : at.clusterId());
  }

  @Override
  public Integer call() throws Exception {
    if (bumpRevision < 0) {
      throw new ConfigException("--bump-revision must be 0 or more, not " + bumpRevision);
    }
    if ((bumpRevision > 0) != markCompacted) {
      throw new ConfigException("--bump-revision and --mark-compacted go together; give both or neither");
    }
    if (toRevision != null && toTime != null) {
      throw new ConfigException("--to-revision and --to-time each name the point to restore to; give one");
    }
    boolean pointInTime = toRevision != null || toTime != null;
    if (journal != null && !pointInTime) {
      throw new ConfigException("--journal goes with --to-revision or --to-time; give one of them too");
    }
    if (toRevision != null && toRevision < 1) {
      throw new ConfigException("--to-revision must be 1 or more, not " + toRevision);
    }
    Path journalDir = pointInTime ? journalDir() : null;
    // A journal's chain holds one data key for all its segments: asked of KMS once, not once per segment.
    try (RememberedKeys keys = new RememberedKeys(kms.keys())) {
      return restore(journalDir, keys);
    }
  }

  private Integer restore(Path journalDir, DataKeys keys) throws Exception {
    boolean pointInTime = journalDir != null;
    Cluster cluster = Cluster.bootstrap(name, initialCluster, token, advertisePeerUrls);
    Path target = dataDir != null ? dataDir : Path.of(name + ".etcd");
    String restored;
    RestoreResult result;
    if (S3Location.named(snapshot)) {
      try (S3 client = s3.connect()) {
        ObjectDownload download = new ObjectDownload(client);
        ObjectDownload.Found found = download.find(S3Location.parse(snapshot, "FILE"));
        restored = found.location().toString();
        PointInTime point = !pointInTime ? null : pointAfter(found, journalDir, keys);
        result = DataDirRestore.run(request(null, target, cluster, new RemoteSnapshot() {
          @Override
          public long size() {
            return found.size();
          }

          @Override
          public void fetch(Path file) throws IOException {
            download.download(found, file);
          }
        }, point, keys));
      }
    } else if (pointInTime) {
      BaseSnapshot.Choice base = BaseSnapshot.choose(Path.of(snapshot), journalDir,
          toRevision == null ? 0 : toRevision, toTime, keys);
      restored = base.snapshot() + " (revision " + base.snapshotRevision() + ") to revision "
          + base.target().toRevision();
      result = DataDirRestore.run(request(base.snapshot(), target, cluster, null, base.target(), keys));
    } else {
      restored = snapshot;
      result = DataDirRestore.run(request(Path.of(snapshot), target, cluster, null, null, keys));
    }
    spec.commandLine().getOut().println((dryRun ? "dry run: could restore " : "restored ") + restored + " into "
        + target + ": " + result.describe());
    return 0;
  }
}
