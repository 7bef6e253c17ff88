package io.etcdsnapshotter.journal;

import java.io.IOException;

/** What a frame means; each kind encodes and decodes its own payload. */
public sealed interface Record permits ChainStart, RevisionRecord, TimeRecord, LeaseRecord {
  byte type();

  byte[] payload();

  default Frame frame() {
    return new Frame(type(), payload());
  }

  static Record decode(Frame frame) throws IOException {
    return switch (frame.type()) {
      case ChainStart.TYPE -> ChainStart.decode(frame.payload());
      case RevisionRecord.TYPE -> RevisionRecord.decode(frame.payload());
      case TimeRecord.TYPE -> TimeRecord.decode(frame.payload());
      case LeaseRecord.TYPE -> LeaseRecord.decode(frame.payload());
      default -> throw new IOException("unknown record type " + frame.type());
    };
  }
}
