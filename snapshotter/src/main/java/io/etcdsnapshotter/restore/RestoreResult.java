package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.inspect.SnapshotStatus;

/**
 * What a restore produced, as read back from the output: the new identity, the restored db's status under 3.5
 * semantics (the numbers the read-back check compared with what was written; {@code status --semantics 3.5} of the
 * db prints the same), and the schema it carries with the etcd releases that start it.
 */
public record RestoreResult(Cluster cluster, SnapshotStatus status, String schema) {
  public String describe() {
    return String.format("member %s (%s) of cluster %s, %d member(s); db status (3.5 semantics) %s; %s",
        cluster.local().hexId(), cluster.local().name(), Long.toHexString(cluster.clusterId()),
        cluster.members().size(), status.toJson(), schema);
  }
}
