package io.etcdsnapshotter.journal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The first record of a chain: the revisions that follow continue the full snapshot of {@code baseRevision} of the
 * cluster {@code clusterId}, with nothing in between.
 */
public record ChainStart(long baseRevision, long clusterId) implements Record {
  static final byte TYPE = 1;

  @Override
  public byte type() {
    return TYPE;
  }

  @Override
  public byte[] payload() {
    return ByteBuffer.allocate(16).putLong(baseRevision).putLong(clusterId).array();
  }

  static ChainStart decode(byte[] payload) throws IOException {
    if (payload.length != 16) {
      throw new IOException("a chain start record of " + payload.length + " bytes, not 16");
    }
    ByteBuffer in = ByteBuffer.wrap(payload);
    return new ChainStart(in.getLong(), in.getLong());
  }
}
