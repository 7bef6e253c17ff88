package io.etcdsnapshotter.journal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.etcd.jetcd.api.Event;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Every event of one revision, in etcd's order (sub-revision 0, 1, ...): etcd's own mvccpb Event messages, so the
 * key, value, create and mod revision, version and lease are kept exactly as etcd stored them.
 * Payload: [revision u64] then per event [length u32][Event].
 */
public record RevisionRecord(long revision, List<Event> events) implements Record {
  static final byte TYPE = 2;

  public RevisionRecord {
    events = List.copyOf(events);
  }

  @Override
  public byte type() {
    return TYPE;
  }

  @Override
  public byte[] payload() {
    List<byte[]> encoded = events.stream().map(Event::toByteArray).toList();
    ByteBuffer out = ByteBuffer.allocate(8 + encoded.stream().mapToInt(e -> 4 + e.length).sum());
    out.putLong(revision);
    encoded.forEach(e -> out.putInt(e.length).put(e));
    return out.array();
  }

  static RevisionRecord decode(byte[] payload) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(payload);
    try {
      long revision = in.getLong();
      List<Event> events = new ArrayList<>();
      while (in.hasRemaining()) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
          throw new IOException("an event of " + length + " bytes where " + in.remaining() + " are left");
        }
        byte[] event = new byte[length];
        in.get(event);
        events.add(Event.parseFrom(event));
      }
      return new RevisionRecord(revision, events);
    } catch (BufferUnderflowException | InvalidProtocolBufferException e) {
      throw new IOException("a revision record that does not parse: " + e.getMessage(), e);
    }
  }
}
