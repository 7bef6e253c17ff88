package io.etcdsnapshotter.journal;

import io.etcdsnapshotter.encryption.DataKey;
import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.files.PrivateFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SortedMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends records to a cluster's journal dir (0700, segments 0600). Appends gather in a buffer that goes to the
 * page cache as it fills, one write for many records instead of a system call each; {@link #sync} writes what is
 * gathered and makes everything appended so far durable at once (group commit), after a time record for the newest
 * revision. Nothing is promised before a sync, so a record still in the buffer when the process dies is one a
 * crash of the machine would have lost as well.
 * Segments are sealed when {@link SegmentKeys} gives a data key: one per writer, zeroed when it closes.
 * Opening continues the newest chain, its torn tail cut off first, even when it ends before the newest snapshot:
 * etcd usually still has the revisions up to that snapshot's, which only this chain can hold (from its own
 * snapshot), and a {@link #roll} starts the newer snapshot's chain once this one reaches it.
 */
public final class JournalWriter implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(JournalWriter.class);
  /** About a tenth of a second of 1,000 writes of 1 KiB a second; direct, so writes need no copy of it. */
  private static final int BUFFER = 128 << 10;

  private final Path dir;
  private final long clusterId;
  private final long baseRevision;
  private final long segmentBytes;
  private final SegmentKeys keys;
  /** The data key new segments are sealed under; null when they are plain. */
  private final DataKey key;
  private SealedFrames sealed;
  private FileChannel channel;
  private long sequence;
  private long lastRevision;
  /** The newest revision the last {@link #sync} made durable. */
  private volatile long durableRevision;
  private boolean dirty;
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);

  private JournalWriter(Path dir, long clusterId, long baseRevision, long segmentBytes, SegmentKeys keys)
      throws IOException {
    this.dir = dir;
    this.clusterId = clusterId;
    this.baseRevision = baseRevision;
    this.segmentBytes = segmentBytes;
    this.keys = keys;
    this.key = keys.newKey();
    this.lastRevision = baseRevision;
    this.durableRevision = baseRevision;
  }

  /**
   * Continues the newest chain of etcd cluster {@code clusterId} in {@code dir}, or starts one at {@code
   * snapshotRevision} when there is none. Chains of another cluster (the one before a restore gave this one a new
   * ID) stay as they are, for restores to points before the change.
   *
   * @param snapshotRevision the revision of the newest full snapshot: where a chain starts in an empty dir
   * @param segmentBytes a segment is closed and the next begun once it is at least this long
   * @param keys whether new segments are sealed, and how the segments there are read
   */
  public static JournalWriter open(Path dir, long clusterId, long snapshotRevision, long segmentBytes,
      SegmentKeys keys) throws IOException {
    PrivateFiles.ensureDirectory(dir);
    List<Chain> chains = Chain.list(dir, keys.reader());
    Chain newest = null;
    for (Chain chain : chains) {
      String cluster = chain.clusterIdHex();
      if (cluster == null || cluster.equals(Long.toHexString(clusterId))) {
        newest = chain;
      } else if (chain.baseRevision() == snapshotRevision) {
        throw new IOException(dir + " holds a chain from revision " + snapshotRevision + " of etcd cluster " + cluster
            + ", the revision this cluster's (" + Long.toHexString(clusterId) + ") chain would start at; move that"
            + " journal dir aside, keeping it for restores of the old cluster (restore --journal DIR)");
      }
    }
    if (newest == null) {
      return newChain(dir, clusterId, snapshotRevision, segmentBytes, keys);
    }
    JournalWriter writer = new JournalWriter(dir, clusterId, newest.baseRevision(), segmentBytes, keys);
    try {
      writer.resume(newest);
    } catch (IOException | RuntimeException e) {
      writer.forgetKey();
      throw e;
    }
    return writer;
  }

  /**
   * Starts a chain at {@code base}, the revision of a full snapshot past every revision the journal holds (after a
   * gap: etcd compacted the revisions between before the journal had them).
   */
  public static JournalWriter newChain(Path dir, long clusterId, long base, long segmentBytes, SegmentKeys keys)
      throws IOException {
    JournalWriter writer = new JournalWriter(dir, clusterId, base, segmentBytes, keys);
    writer.startSegment(0);
    writer.append(new ChainStart(base, clusterId));
    writer.sync();
    return writer;
  }

  /**
   * Continues {@code chain}, which is of this writer's cluster, after its last record: in its last segment when
   * that and this writer are both plain, else in a new segment (a sealed segment is never continued by another
   * writer, which would need its data key and record count).
   */
  private void resume(Chain chain) throws IOException {
    List<Path> segments = chain.segments();
    long[] last = {baseRevision};
    chain.read(record -> {
      if (record instanceof RevisionRecord r) {
        last[0] = r.revision();
      }
      return true;
    });
    lastRevision = last[0];
    durableRevision = last[0];
    Path file = segments.get(segments.size() - 1);
    Segment tail = Segment.read(file, true, chain.keys());
    sequence = segments.size() - 1;
    if (tail.header() == null) {
      Files.delete(file);
      startSegment(sequence);
      if (sequence == 0) {
        append(new ChainStart(baseRevision, clusterId));
      }
      return;
    }
    channel = FileChannel.open(file, StandardOpenOption.WRITE);
    if (tail.torn()) {
      LOG.warn("{}: cut off a torn tail after offset {} (a write the last stop interrupted)", file, tail.end());
      channel.truncate(tail.end());
      channel.force(true);
    }
    channel.position(tail.end());
    if (key != null || tail.header().sealed() != null) {
      channel.close();
      startSegment(sequence + 1);
    }
  }

  public long lastRevision() {
    return lastRevision;
  }

  public long baseRevision() {
    return baseRevision;
  }

  public long clusterId() {
    return clusterId;
  }

  /** The newest revision on disk for certain: what a crash now would leave. */
  public long durableRevision() {
    return durableRevision;
  }

  /**
   * Ends this chain and starts one at {@code base}, the revision of a newer full snapshot, which this chain must
   * already reach: the records of revisions after {@code base} (revisions, times and lease changes) are copied to
   * the new chain, so it holds everything received since its snapshot. A lease record after {@code base} speaks of
   * the changes since a poll at or before {@code base}, so it applies to that snapshot's leases as it did to this
   * chain's. Returns the writer of the new chain; this one is closed.
   */
  public synchronized JournalWriter roll(long base) throws IOException {
    if (base <= baseRevision || base > lastRevision) {
      throw new IOException("cannot start a chain at revision " + base + " from chain " + baseRevision
          + " ending at " + lastRevision + ": a new chain starts within the revisions the old one holds");
    }
    sync();
    channel.close();
    try {
      return rollTo(base);
    } finally {
      forgetKey();
    }
  }

  private JournalWriter rollTo(long base) throws IOException {
    DataKeys readOld = key == null ? keys.reader() : key.readerOr(keys.reader());
    Chain old = Chain.list(dir, readOld).stream().filter(c -> c.baseRevision() == baseRevision).findFirst()
        .orElseThrow();
    JournalWriter next = new JournalWriter(dir, clusterId, base, segmentBytes, keys);
    next.startSegment(0);
    next.append(new ChainStart(base, clusterId));
    old.read(record -> {
      if (record instanceof RevisionRecord r && r.revision() > base) {
        next.append(r);
      } else if (record instanceof LeaseRecord l && l.revision() > base) {
        next.append((Record) l);
      } else if (record instanceof TimeRecord t && t.revision() > base) {
        next.append((Record) t);
      }
      return true;
    });
    next.sync();
    return next;
  }

  /** Appends one revision's events; revisions must grow. */
  public synchronized void append(RevisionRecord record) throws IOException {
    if (record.revision() <= lastRevision) {
      throw new IOException("revision " + record.revision() + " after " + lastRevision + ": the watch went back");
    }
    append((Record) record);
    lastRevision = record.revision();
    if (channel.position() + buffer.position() >= segmentBytes) {
      sync();
      channel.close();
      startSegment(sequence + 1);
    }
  }

  /**
   * Appends what a poll of etcd's leases found, stamped with the later of the revision the poll answered at and the
   * last appended: every lease record is then at or after the revisions before it, so a restore to N finds each one
   * stamped at or before N ahead of revision N + 1.
   */
  public synchronized void appendLeases(long polledAt, boolean full, SortedMap<Long, Long> granted, List<Long> gone)
      throws IOException {
    append(new LeaseRecord(Math.max(polledAt, lastRevision), full, granted, gone));
  }

  private void append(Record record) throws IOException {
    Frame frame = sealed == null ? record.frame() : sealed.seal(record.frame());
    if (frame.size() > buffer.remaining()) {
      flush();
    }
    if (frame.size() > buffer.capacity()) {
      write(frame.encode());
    } else {
      frame.writeTo(buffer);
    }
    dirty = true;
  }

  private void flush() throws IOException {
    write(buffer.flip());
    buffer.clear();
  }

  private void write(ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  /** Makes every record appended so far durable, stamped with the time it was received by. */
  public synchronized void sync() throws IOException {
    if (!dirty) {
      return;
    }
    append(new TimeRecord(lastRevision, System.currentTimeMillis()));
    flush();
    channel.force(false);
    dirty = false;
    durableRevision = lastRevision;
  }

  private void startSegment(long next) throws IOException {
    sequence = next;
    Path file = dir.resolve(Chain.segmentName(baseRevision, sequence));
    channel = PrivateFiles.createNew(file);
    sealed = key == null ? null : SealedFrames.create(key, clusterId, baseRevision);
    write(new SegmentHeader(clusterId, baseRevision, sealed == null ? null : sealed.header()).encode());
    channel.force(true);
    PrivateFiles.syncDirectory(dir);
    dirty = true;
  }

  @Override
  public synchronized void close() throws IOException {
    try {
      sync();
    } finally {
      try {
        channel.close();
      } finally {
        forgetKey();
      }
    }
  }

  private void forgetKey() {
    if (key != null) {
      key.close();
    }
  }
}
