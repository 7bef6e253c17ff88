package io.etcdsnapshotter.journal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What a frame means; each kind encodes and decodes its own payload. A record read back from a segment is valid
 * while it is visited; {@link #kept} gives one to hold longer.
 */
public sealed interface Record permits ChainStart, RevisionRecord, TimeRecord, LeaseRecord {
  byte type();

  byte[] payload();

  default Frame frame() {
    return new Frame(type(), payload());
  }

  /** This record, or a copy of it that stays valid after its visit. */
  default Record kept() {
    return this;
  }

  /** The record of a frame's type and payload (bytes 0 to its limit), which a revision record keeps as a view. */
  static Record decode(byte type, ByteBuffer payload) throws IOException {
    if (type == RevisionRecord.TYPE) {
      return RevisionRecord.decode(payload);
    }
    byte[] bytes = new byte[payload.limit()];
    payload.get(0, bytes);
    return switch (type) {
      case ChainStart.TYPE -> ChainStart.decode(bytes);
      case TimeRecord.TYPE -> TimeRecord.decode(bytes);
      case LeaseRecord.TYPE -> LeaseRecord.decode(bytes);
      default -> throw new IOException("unknown record type " + type);
    };
  }
}
