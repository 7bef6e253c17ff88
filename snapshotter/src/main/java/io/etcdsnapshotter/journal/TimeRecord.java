package io.etcdsnapshotter.journal;

import java.io.IOException;
import java.nio.ByteBuffer;

/** The wall-clock time by which the journal had received every revision up to {@code revision}. */
public record TimeRecord(long revision, long epochMillis) implements Record {
  static final byte TYPE = 3;

  @Override
  public byte type() {
    return TYPE;
  }

  @Override
  public byte[] payload() {
    return ByteBuffer.allocate(16).putLong(revision).putLong(epochMillis).array();
  }

  static TimeRecord decode(byte[] payload) throws IOException {
    if (payload.length != 16) {
      throw new IOException("a time record of " + payload.length + " bytes, not 16");
    }
    ByteBuffer in = ByteBuffer.wrap(payload);
    return new TimeRecord(in.getLong(), in.getLong());
  }
}
