package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.files.PrivateFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The first WAL segment of a restored member, record for record what etcdutl 3.5 and 3.6 write: crc, metadata, an
 * empty snapshot, one AddNode ConfChange entry per member, the HardState, and a snapshot record at index N with the
 * ConfState (which etcd 3.4 also accepts; etcd 3.7's encoder leaves out the zero-valued fields we write, a byte
 * difference its decoder does not see).
 */
final class WalFile {
  static final String NAME = "0000000000000000-0000000000000000.wal";
  /** etcd's SegmentSizeBytes; the tail stays zeros, which readers take as the end of the log. */
  static final long SEGMENT_SIZE = 64L * 1000 * 1000;

  private static final int METADATA = 1;
  private static final int ENTRY = 2;
  private static final int STATE = 3;
  private static final int CRC = 4;
  private static final int SNAPSHOT = 5;

  private final CRC32C running = new CRC32C();
  private final ByteArrayOutputStream frames = new ByteArrayOutputStream();

  private WalFile() {}

  /** Writes and fsyncs {@code walDir/NAME}; {@code walDir} must exist and be new. */
  static void write(Path walDir, Cluster cluster) throws IOException {
    byte[] content = bytes(cluster);
    try (FileChannel channel = PrivateFiles.createNew(walDir.resolve(NAME))) {
      channel.write(ByteBuffer.wrap(content));
      channel.write(ByteBuffer.allocate(1), SEGMENT_SIZE - 1);
      channel.force(true);
    }
  }

  /** The non-zero head of the segment. */
  static byte[] bytes(Cluster cluster) {
    List<Member> members = cluster.members();
    long n = members.size();
    WalFile wal = new WalFile();
    wal.append(CRC, null);
    wal.append(METADATA, RaftProto.metadata(cluster.local().id(), cluster.clusterId()));
    wal.append(SNAPSHOT, RaftProto.walSnapshot(0, 0, null));
    for (int i = 0; i < members.size(); i++) {
      wal.append(ENTRY, RaftProto.confChangeEntry(1, i + 1, members.get(i)));
    }
    wal.append(STATE, RaftProto.hardState(1, cluster.firstId(), n));
    wal.append(SNAPSHOT, RaftProto.walSnapshot(n, 1, RaftProto.confState(members)));
    return wal.frames.toByteArray();
  }

  private void append(int type, byte[] data) {
    if (type != CRC) {
      running.update(data);
    }
    byte[] record = RaftProto.walRecord(type, (int) running.getValue(), data);
    int pad = (8 - record.length % 8) % 8;
    long lenField = pad == 0 ? record.length : record.length | ((long) (0x80 | pad) << 56);
    frames.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(lenField).array());
    frames.writeBytes(record);
    frames.writeBytes(new byte[pad]);
  }
}
