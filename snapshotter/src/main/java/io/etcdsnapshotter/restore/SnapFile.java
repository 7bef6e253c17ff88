package io.etcdsnapshotter.restore;

import io.etcdsnapshotter.files.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/** The raft snapshot file of a restored member: term 1, index N, the v2 store with the members as its data. */
final class SnapFile {
  private SnapFile() {}

  static String name(Cluster cluster) {
    return String.format("%016x-%016x.snap", 1, cluster.members().size());
  }

  /** Writes and fsyncs {@code snapDir/name(cluster)}. */
  static void write(Path snapDir, Cluster cluster) throws IOException {
    try (FileChannel channel = PrivateFiles.createNew(snapDir.resolve(name(cluster)))) {
      channel.write(ByteBuffer.wrap(bytes(cluster)));
      channel.force(true);
    }
  }

  static byte[] bytes(Cluster cluster) {
    byte[] data = V2StoreJson.of(cluster.members()).getBytes(StandardCharsets.UTF_8);
    byte[] snapshot = RaftProto.raftSnapshot(data, RaftProto.confState(cluster.members()), cluster.members().size(), 1);
    CRC32C crc = new CRC32C();
    crc.update(snapshot);
    return RaftProto.snapContainer((int) crc.getValue(), snapshot);
  }
}
