package io.etcdsnapshotter.journal;

import io.etcdsnapshotter.encryption.DataKey;
import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.encryption.SealedRecords;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The frames of a sealed segment, in order: each record's frame goes to disk as a frame of type {@link #TYPE}
 * whose payload is the record's type and payload sealed as the segment's next record. Framing and torn-tail
 * handling see sealed frames as any other; what a record is, and its keys and values, stay sealed.
 */
final class SealedFrames {
  static final byte TYPE = 0x53;

  private final SealedRecords records;
  private long next;

  private SealedFrames(SealedRecords records) {
    this.records = records;
  }

  /** The frames of a new segment sealed under {@code key}; {@link #header} belongs in its header. */
  static SealedFrames create(DataKey key, long clusterId, long baseRevision) {
    byte[] context = new SegmentHeader(clusterId, baseRevision, new byte[0]).context();
    return new SealedFrames(SealedRecords.create(key, context));
  }

  /** The frames of the segment {@code file} whose header is {@code header}. */
  static SealedFrames open(SegmentHeader header, DataKeys keys, Path file) throws IOException {
    return new SealedFrames(SealedRecords.open(ByteBuffer.wrap(header.sealed()), header.context(), keys,
        "journal segment " + file, "chain, or restore to a revision before it"));
  }

  byte[] header() {
    return records.header();
  }

  Frame seal(Frame plain) {
    byte[] body = new byte[1 + plain.payload().length];
    body[0] = plain.type();
    System.arraycopy(plain.payload(), 0, body, 1, plain.payload().length);
    return new Frame(TYPE, records.seal(next++, body));
  }

  /** The plain type and payload of a sealed frame's {@code body} (its type and payload, as framed). */
  ByteBuffer open(ByteBuffer body) throws IOException {
    if (body.get(0) != TYPE) {
      throw new IOException("a record of type " + body.get(0) + " is not sealed, in a sealed segment");
    }
    byte[] sealed = new byte[body.limit() - 1];
    body.get(1, sealed);
    byte[] plain = records.open(next++, sealed);
    if (plain.length == 0) {
      throw new IOException("a sealed record holds no type");
    }
    return ByteBuffer.wrap(plain);
  }
}
