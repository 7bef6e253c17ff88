package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.inspect.SnapshotStatus;

/** What a restore produced, as read back from the output: the new identity and the restored db's status. */
public record RestoreResult(Cluster cluster, SnapshotStatus status) {
  public String describe() {
    return String.format("member %s (%s) of cluster %s, %d member(s); db status %s",
        cluster.local().hexId(), cluster.local().name(), Long.toHexString(cluster.clusterId()),
        cluster.members().size(), status.toJson());
  }
}
