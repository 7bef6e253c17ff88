package io.etcdsnapshotter.journal;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.etcd.jetcd.api.Event;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Every event of one revision, in etcd's order (sub-revision 0, 1, ...): etcd's own mvccpb Event messages, so the
 * key, value, create and mod revision, version and lease are kept exactly as etcd stored them.
 * Payload: [revision u64] then per event [length u32][Event].
 * A record read back keeps its payload and parses its events only when asked: reading a chain for its revisions
 * (resume, verify, status) needs none of them, and a restore takes each event's KeyValue bytes as they lie in the
 * payload ({@link #forEachEvent}), which is what etcd writes to its key bucket.
 */
public final class RevisionRecord implements Record {
  static final byte TYPE = 2;
  private static final int EVENT_TYPE = 1;
  private static final int EVENT_KV = 2;
  private static final int KV_KEY = 1;
  private static final int KV_MOD_REVISION = 3;
  private static final int KV_LEASE = 6;

  private final long revision;
  private List<Event> events;
  private byte[] payload;

  public RevisionRecord(long revision, List<Event> events) {
    this.revision = revision;
    this.events = List.copyOf(events);
  }

  private RevisionRecord(long revision, byte[] payload) {
    this.revision = revision;
    this.payload = payload;
  }

  public long revision() {
    return revision;
  }

  /** The events, parsed (once) from the payload of a record read back. */
  public List<Event> events() throws IOException {
    if (events == null) {
      List<Event> parsed = new ArrayList<>();
      for (int at = 8; at < payload.length; at += 4 + length(at)) {
        try {
          parsed.add(Event.parseFrom(CodedInputStream.newInstance(payload, at + 4, length(at))));
        } catch (InvalidProtocolBufferException e) {
          throw new IOException("revision " + revision + " holds an event that does not parse: " + e.getMessage(), e);
        }
      }
      events = List.copyOf(parsed);
    }
    return events;
  }

  /** One event as it lies in the payload: its KeyValue's bytes unparsed, and the fields a restore needs. */
  public interface EventVisitor {
    void event(boolean delete, ByteBuffer keyValue, ByteString key, long modRevision, long lease) throws IOException;
  }

  /** Shows each event in order, without parsing or copying its value. */
  public void forEachEvent(EventVisitor visitor) throws IOException {
    byte[] bytes = payload();
    try {
      for (int at = 8; at < bytes.length; at += 4 + length(at)) {
        visitEvent(bytes, at + 4, length(at), visitor);
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("revision " + revision + " holds an event that does not parse: " + e.getMessage(), e);
    }
  }

  private void visitEvent(byte[] bytes, int from, int length, EventVisitor visitor) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes, from, length);
    boolean delete = false;
    int kvAt = -1;
    int kvLength = 0;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (WireFormat.getTagFieldNumber(tag) == EVENT_TYPE && WireFormat.getTagWireType(tag) == 0) {
        delete = in.readEnum() == Event.EventType.DELETE_VALUE;
      } else if (WireFormat.getTagFieldNumber(tag) == EVENT_KV && WireFormat.getTagWireType(tag) == 2) {
        kvLength = in.readRawVarint32();
        kvAt = from + in.getTotalBytesRead();
        in.skipRawBytes(kvLength);
      } else {
        in.skipField(tag);
      }
    }
    if (kvAt < 0) {
      throw new IOException("revision " + revision + " holds an event without a key-value");
    }
    visitKeyValue(bytes, kvAt, kvLength, delete, visitor);
  }

  private static void visitKeyValue(byte[] bytes, int from, int length, boolean delete, EventVisitor visitor)
      throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes, from, length);
    ByteString key = ByteString.EMPTY;
    long modRevision = 0;
    long lease = 0;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(tag);
      int wireType = WireFormat.getTagWireType(tag);
      if (field == KV_KEY && wireType == 2) {
        key = in.readBytes();
      } else if (field == KV_MOD_REVISION && wireType == 0) {
        modRevision = in.readInt64();
      } else if (field == KV_LEASE && wireType == 0) {
        lease = in.readInt64();
      } else {
        in.skipField(tag);
      }
    }
    visitor.event(delete, ByteBuffer.wrap(bytes, from, length).slice(), key, modRevision, lease);
  }

  private int length(int at) {
    return ByteBuffer.wrap(payload).getInt(at);
  }

  @Override
  public byte type() {
    return TYPE;
  }

  @Override
  public byte[] payload() {
    if (payload == null) {
      List<byte[]> encoded = events.stream().map(Event::toByteArray).toList();
      ByteBuffer out = ByteBuffer.allocate(8 + encoded.stream().mapToInt(e -> 4 + e.length).sum());
      out.putLong(revision);
      encoded.forEach(e -> out.putInt(e.length).put(e));
      payload = out.array();
    }
    return payload;
  }

  /** Checks the event framing (lengths within the payload); the events themselves parse when asked for. */
  static RevisionRecord decode(byte[] payload) throws IOException {
    if (payload.length < 8) {
      throw new IOException("a revision record of " + payload.length + " bytes, too short for its revision");
    }
    ByteBuffer in = ByteBuffer.wrap(payload);
    long revision = in.getLong();
    while (in.hasRemaining()) {
      int length = in.remaining() < 4 ? -1 : in.getInt();
      if (length < 0 || length > in.remaining()) {
        throw new IOException("an event of " + length + " bytes where " + in.remaining() + " are left");
      }
      in.position(in.position() + length);
    }
    return new RevisionRecord(revision, payload);
  }

  @Override
  public boolean equals(Object other) {
    try {
      return other instanceof RevisionRecord r && r.revision == revision && r.events().equals(events());
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public int hashCode() {
    return Long.hashCode(revision);
  }

  @Override
  public String toString() {
    return "RevisionRecord[revision=" + revision + ", events=" + (events == null ? "(unparsed)" : events) + "]";
  }
}
