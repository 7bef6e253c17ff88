package io.etcdsnapshotter.journal;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
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
 * A record read back is a view of its payload where it lies in the reading's window, parsed only when asked: reading
 * a chain for its revisions (resume, verify, status) needs none of its events, and a restore takes each event's
 * KeyValue bytes as they lie ({@link #forEachEvent}), which is what etcd writes to its key bucket. Gigabytes of
 * journal are read that way without copying a byte of them. The view is valid only while the record is visited;
 * {@link #kept} copies it for a visitor that holds records longer, and a view used after its visit fails loudly.
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
  /** The payload, bytes 0 to its limit; null until a record made from events is encoded. */
  private ByteBuffer payload;
  /** Whether {@link #payload} is a view of a reading's window, valid while the record is visited. */
  private final boolean view;
  /** Whether the visit is over. */
  private boolean expired;

  public RevisionRecord(long revision, List<Event> events) {
    this.revision = revision;
    this.events = List.copyOf(events);
    this.view = false;
  }

  private RevisionRecord(long revision, ByteBuffer payload, boolean view) {
    this.revision = revision;
    this.payload = payload;
    this.view = view;
  }

  public long revision() {
    return revision;
  }

  /** The events, parsed (once) from the payload of a record read back. */
  public List<Event> events() throws IOException {
    if (events == null) {
      List<Event> parsed = new ArrayList<>();
      eachEvent(event -> parsed.add(Event.parseFrom(CodedInputStream.newInstance(event))));
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
    eachEvent(event -> visitEvent(event, visitor));
  }

  /** The number of events, from the payload's framing. */
  public int eventCount() {
    int[] count = {0};
    try {
      eachEvent(event -> count[0]++);
    } catch (IOException e) {
      throw new IllegalStateException("counting reads no event", e);
    }
    return count[0];
  }

  private interface EventBytes {
    void accept(ByteBuffer event) throws IOException;
  }

  /** Each event's bytes in order, as the payload frames them: [revision u64] then per event [length u32][Event]. */
  private void eachEvent(EventBytes consumer) throws IOException {
    ByteBuffer bytes = view();
    try {
      for (int at = 8; at < bytes.remaining(); at += 4 + bytes.getInt(at)) {
        consumer.accept(bytes.slice(at + 4, bytes.getInt(at)));
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("revision " + revision + " holds an event that does not parse: " + e.getMessage(), e);
    }
  }

  private void visitEvent(ByteBuffer event, EventVisitor visitor) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(event);
    boolean delete = false;
    int kvAt = -1;
    int kvLength = 0;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (WireFormat.getTagFieldNumber(tag) == EVENT_TYPE && WireFormat.getTagWireType(tag) == 0) {
        delete = in.readEnum() == Event.EventType.DELETE_VALUE;
      } else if (WireFormat.getTagFieldNumber(tag) == EVENT_KV && WireFormat.getTagWireType(tag) == 2) {
        kvLength = in.readRawVarint32();
        kvAt = in.getTotalBytesRead();
        in.skipRawBytes(kvLength);
      } else {
        in.skipField(tag);
      }
    }
    if (kvAt < 0) {
      throw new IOException("revision " + revision + " holds an event without a key-value");
    }
    visitKeyValue(event.slice(kvAt, kvLength), delete, visitor);
  }

  private static void visitKeyValue(ByteBuffer keyValue, boolean delete, EventVisitor visitor) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(keyValue.duplicate());
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
    visitor.event(delete, keyValue, key, modRevision, lease);
  }

  /** The payload, checked to be still where it was read. */
  private ByteBuffer view() {
    if (expired) {
      throw new IllegalStateException("revision " + revision + " was read as a view of a journal segment and used"
          + " after its visit; keep it with kept()");
    }
    if (payload == null) {
      payload = ByteBuffer.wrap(encode());
    }
    return payload;
  }

  /** This record with a payload of its own, for a visitor that keeps it past its visit. */
  @Override
  public RevisionRecord kept() {
    return view ? new RevisionRecord(revision, ByteBuffer.wrap(payload()), false) : this;
  }

  /** The reading's window moves on: the view must not be read again. */
  void expire() {
    expired = view;
  }

  @Override
  public byte type() {
    return TYPE;
  }

  @Override
  public byte[] payload() {
    ByteBuffer bytes = view();
    if (bytes.hasArray() && bytes.arrayOffset() == 0 && bytes.array().length == bytes.limit()) {
      return bytes.array();
    }
    byte[] copy = new byte[bytes.limit()];
    bytes.get(0, copy);
    return copy;
  }

  /** Each event encoded in place, in one array: the watch's path writes every event of etcd through here. */
  private byte[] encode() {
    int size = 8;
    for (Event event : events) {
      size += 4 + event.getSerializedSize();
    }
    ByteBuffer out = ByteBuffer.allocate(size).putLong(revision);
    try {
      for (Event event : events) {
        int length = event.getSerializedSize();
        out.putInt(length);
        CodedOutputStream coded = CodedOutputStream.newInstance(out.array(), out.position(), length);
        event.writeTo(coded);
        coded.checkNoSpaceLeft();
        out.position(out.position() + length);
      }
    } catch (IOException e) {
      throw new IllegalStateException("an event encoded to other than its own size", e);
    }
    return out.array();
  }

  /**
   * The record whose payload is {@code payload}'s bytes 0 to its limit, a view of a reading's window (not copied)
   * valid until {@link #expire}. Checks the event framing (lengths within the payload); the events parse when asked for.
   */
  static RevisionRecord decode(ByteBuffer payload) throws IOException {
    int size = payload.limit();
    if (size < 8) {
      throw new IOException("a revision record of " + size + " bytes, too short for its revision");
    }
    for (int at = 8; at < size; ) {
      int length = size - at < 4 ? -1 : payload.getInt(at);
      if (length < 0 || length > size - at - 4) {
        throw new IOException("an event of " + length + " bytes where " + Math.max(0, size - at - 4) + " are left");
      }
      at += 4 + length;
    }
    return new RevisionRecord(payload.getLong(0), payload, true);
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
