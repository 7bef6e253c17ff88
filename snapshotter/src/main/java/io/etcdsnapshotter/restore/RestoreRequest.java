package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.encryption.DataKeys;
import java.nio.file.Path;

/**
 * What to restore where.
 *
 * @param walDir null for the default {@code <dataDir>/member/wal}; etcd must then be started with the same
 *     {@code --wal-dir}
 * @param bumpRevision 0 for none; otherwise the revision jumps by this much and everything below is compacted
 * @param dryRun build and check everything in a scratch dir beside the target, then delete it
 * @param server the etcd release that will run the member, whose refusals are checked before anything is written;
 *     null when unknown
 * @param keys where the data key of an encrypted snapshot comes from
 * @param remote where the snapshot comes from when it is no local file ({@code snapshot} is then null); else null
 * @param pointInTime the journal whose revisions after the snapshot's are replayed, and up to which; null for none
 */
public record RestoreRequest(Path snapshot, Path dataDir, Path walDir, Cluster cluster, boolean skipHashCheck,
    long bumpRevision, boolean dryRun, EtcdRelease server, DataKeys keys, RemoteSnapshot remote,
    PointInTime pointInTime) {
  /** A restore of the snapshot alone. */
  public RestoreRequest(Path snapshot, Path dataDir, Path walDir, Cluster cluster, boolean skipHashCheck,
      long bumpRevision, boolean dryRun, EtcdRelease server, DataKeys keys, RemoteSnapshot remote) {
    this(snapshot, dataDir, walDir, cluster, skipHashCheck, bumpRevision, dryRun, server, keys, remote, null);
  }

  /** A restore from a local plain file. */
  public RestoreRequest(Path snapshot, Path dataDir, Path walDir, Cluster cluster, boolean skipHashCheck,
      long bumpRevision, boolean dryRun, EtcdRelease server) {
    this(snapshot, dataDir, walDir, cluster, skipHashCheck, bumpRevision, dryRun, server, DataKeys.NONE, null);
  }
}
