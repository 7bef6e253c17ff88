package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.Bytes;
import io.etcdsnapshotter.OneLine;
import io.etcdsnapshotter.config.ClusterConfig;
import io.etcdsnapshotter.config.SnapshotConfig;
import io.etcdsnapshotter.encryption.DataKey;
import io.etcdsnapshotter.encryption.SealingChannel;
import io.etcdsnapshotter.etcd.EtcdMember;
import io.etcdsnapshotter.etcd.MemberSelector;
import io.etcdsnapshotter.etcd.SnapshotStream;
import io.etcdsnapshotter.volume.PartFile;
import io.etcdsnapshotter.volume.SnapshotIndex;
import io.etcdsnapshotter.volume.SnapshotVolume;
import io.etcdsnapshotter.s3.HashAsWritten;
import java.io.IOException;
import java.nio.channels.GatheringByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cluster's snapshot, start to end: pick a healthy member, make room, stream into a part file while checking
 * etcd's digest, flush, check the file as a database, and only then replace the previous snapshot.
 */
final class ClusterSnapshot {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSnapshot.class);
  private final SnapshotConfig config;
  private final SnapshotVolume volume;
  private final Termination termination;
  private final UploadHashes uploadHashes;

  ClusterSnapshot(SnapshotConfig config, SnapshotVolume volume, Termination termination, UploadHashes uploadHashes) {
    this.config = config;
    this.volume = volume;
    this.termination = termination;
    this.uploadHashes = uploadHashes;
  }

  /**
   * {@code previous} is the cluster's entry in the index, or null: the snapshot this one is to replace; {@code key}
   * encrypts the new file, if encryption is on.
   */
  ClusterOutcome take(ClusterConfig cluster, SnapshotIndex.Entry previous, FileKeys.FileKey key) {
    Instant start = Instant.now();
    String endpoint = null;
    try (EtcdMember member = MemberSelector.firstHealthy(cluster, config.dialTimeout())) {
      endpoint = member.endpoint().toString();
      LOG.atInfo().addKeyValue("endpoint", endpoint).addKeyValue("member", member.memberIdHex())
          .addKeyValue("etcdVersion", member.version()).addKeyValue("dbSize", member.dbSize())
          .addKeyValue("rateLimit", config.rateLimit().bytesPerSecond())
          .log("cluster {}: streaming from {} (member {}, etcd {}, database {}{})", cluster.name(), endpoint,
              member.memberIdHex(), member.version(), Bytes.human(member.dbSize()),
              config.rateLimit().limited() ? ", at most " + config.rateLimit() : "");
      requireSameCluster(cluster, member, previous);
      requireTimeForTheRate(member);
      SnapshotIndex.Entry entry = save(cluster, member, start, key, previous);
      return new ClusterOutcome(cluster.name(), endpoint, entry, null);
    } catch (IOException | RuntimeException e) {
      dropUploadHashes(cluster, e);
      return new ClusterOutcome(cluster.name(), endpoint, null, OneLine.message(e));
    }
  }

  private SnapshotIndex.Entry save(ClusterConfig cluster, EtcdMember member, Instant start, FileKeys.FileKey key,
      SnapshotIndex.Entry previous) throws IOException {
    String name = cluster.fileName();
    volume.ensureRoom(name, member.dbSize());
    DataKey dataKey = key.start();
    try (PartFile part = volume.startPart(name)) {
      HashAsWritten hashing = uploadHashes.follow(cluster.name(), part.path());
      SnapshotStream.StreamResult stream = stream(cluster, member, dataKey,
          hashing == null ? part.channel() : hashing.counting(part.channel()));
      if (hashing != null) {
        hashing.whole();
      }
      Instant streamed = Instant.now();
      part.finish();
      SnapshotCheck.Contents contents = SnapshotCheck.inspect(part.path(), key.reader());
      Duration took = Duration.between(start, Instant.now());
      SnapshotIndex.Entry entry = entry(name, contents, stream, member, start, took);
      entry.kmsKeyId = dataKey == null ? null : dataKey.keyId();
      // The file replaced is the one the previous entry describes: a generation kept of it records its cluster.
      String replacedCluster = previous != null && name.equals(previous.file) ? previous.clusterId : null;
      termination.commit(() -> volume.commit(part, name, replacedCluster), entry);
      LOG.atInfo().addKeyValue("file", name).addKeyValue("bytes", stream.bytes())
          .addKeyValue("revision", entry.revision).addKeyValue("millis", took.toMillis())
          .log("cluster {}: saved {} ({}, revision {}) in {} ms, of which {} ms checking and flushing",
              cluster.name(), volume.file(name), Bytes.human(stream.bytes()), entry.revision, took.toMillis(),
              Duration.between(streamed, Instant.now()).toMillis());
      return entry;
    }
  }

  /** Streams the member's snapshot into {@code file}, encrypted with {@code dataKey} unless that is null. */
  private SnapshotStream.StreamResult stream(ClusterConfig cluster, EtcdMember member, DataKey dataKey,
      GatheringByteChannel file) throws IOException {
    try (SealingChannel sealing = dataKey == null ? null : SealingChannel.start(file, dataKey)) {
      // etcd's SHA-256 is checked on the plaintext as it streams past, before it is encrypted.
      SnapshotStream.StreamResult stream = SnapshotStream.copy(member, sealing == null ? file : sealing,
          config.commandTimeout(), config.rateLimit(), "cluster " + cluster.name());
      if (sealing != null) {
        sealing.finish();
      }
      return stream;
    }
  }

  /** Stops hashing the file of a cluster whose save failed; a failure to stop is added to the save's. */
  private void dropUploadHashes(ClusterConfig cluster, Exception failure) {
    try {
      uploadHashes.drop(cluster.name());
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  /** A rate limit that cannot stream the database within the command timeout fails now, not when the time is up. */
  private void requireTimeForTheRate(EtcdMember member) throws IOException {
    Duration least = config.rateLimit().timeFor(member.dbSize());
    if (least.compareTo(config.commandTimeout()) >= 0) {
      throw new IOException("the database of " + Bytes.human(member.dbSize()) + " needs " + least.toSeconds()
          + "s at the rate limit of " + config.rateLimit() + ", but the command timeout is "
          + config.commandTimeout().toSeconds() + "s: raise --command-timeout (config commandTimeout) or the"
          + " --rate-limit (config rateLimit)");
    }
  }

  /** What the index records of a snapshot: what the file holds, and when, how and from which member it came. */
  private static SnapshotIndex.Entry entry(String file, SnapshotCheck.Contents contents,
      SnapshotStream.StreamResult stream, EtcdMember member, Instant start, Duration took) {
    SnapshotIndex.Entry entry = new SnapshotIndex.Entry();
    entry.file = file;
    entry.revision = contents.revision();
    entry.hash = contents.hash();
    entry.totalKey = contents.totalKey();
    entry.totalSize = contents.totalSize();
    entry.storageVersion = contents.storageVersion();
    entry.size = stream.bytes();
    entry.sha256 = stream.sha256();
    entry.etcdVersion = member.version();
    entry.member = member.memberIdHex();
    entry.clusterId = member.clusterIdHex();
    entry.endpoint = member.endpoint().toString();
    entry.takenAt = start.toString();
    entry.durationMillis = took.toMillis();
    return entry;
  }

  /**
   * A member of another etcd cluster behind the same endpoints (a rebuilt or restored cluster, or a wrong address)
   * must not silently replace the snapshot of the old one: that may be the only copy left of it.
   */
  private void requireSameCluster(ClusterConfig cluster, EtcdMember member, SnapshotIndex.Entry previous)
      throws IOException {
    if (previous == null || previous.clusterId == null || previous.clusterId.equals(member.clusterIdHex())
        || config.allowClusterChange()) {
      return;
    }
    Optional<Path> restoredFrom = DeliberateRestore.restoredFrom(cluster, volume, member.clusterIdHex());
    if (restoredFrom.isPresent()) {
      LOG.atWarn().addKeyValue("clusterId", member.clusterIdHex()).addKeyValue("previousClusterId", previous.clusterId)
          .log("cluster {}: etcd cluster {} is what kubernetes.etcd.restored bootstraps from {} (restoredBy), not the"
              + " cluster {} the snapshot was taken of: a deliberate restore, so the snapshots go on with it"
              + " (the old cluster's snapshot stays as a generation when keep is 2 or more)", cluster.name(), member.clusterIdHex(),
              restoredFrom.get(), previous.clusterId);
      return;
    }
    throw new IOException("etcd cluster ID is " + member.clusterIdHex() + " but the snapshot on the volume"
        + (previous.takenAt == null ? "" : " (taken " + previous.takenAt + ")") + " is of cluster "
        + previous.clusterId + "; previous snapshot kept. If the cluster was replaced on purpose (a restore with a"
        + " new token, a rebuild), run with --allow-cluster-change (config allowClusterChange: true)"
        + (cluster.restoredBy() == null ? "" : "; restoredBy recognises a restore by kubernetes.etcd.restored from a"
        + " snapshot on this volume only, and this is none"));
  }
}
