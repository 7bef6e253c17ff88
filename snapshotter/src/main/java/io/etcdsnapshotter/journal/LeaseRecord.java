package io.etcdsnapshotter.journal;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The leases one poll of etcd found changed, stamped with a revision by which they were so: those granted since the
 * poll before, with their granted TTL, and those gone (revoked or expired). A full record lists every lease alive
 * (the first poll after each start): a lease it does not list was gone by then.
 * Payload: [revision u64][full u8][n u32][n x (ID u64, TTL u64)][m u32][m x ID u64].
 */
public record LeaseRecord(long revision, boolean full, SortedMap<Long, Long> granted, List<Long> gone)
    implements Record {
  static final byte TYPE = 4;

  public LeaseRecord {
    granted = new TreeMap<>(granted);
    gone = List.copyOf(gone);
  }

  @Override
  public byte type() {
    return TYPE;
  }

  @Override
  public byte[] payload() {
    ByteBuffer out = ByteBuffer.allocate(8 + 1 + 4 + 16 * granted.size() + 4 + 8 * gone.size());
    out.putLong(revision).put((byte) (full ? 1 : 0)).putInt(granted.size());
    granted.forEach((id, ttl) -> out.putLong(id).putLong(ttl));
    out.putInt(gone.size());
    gone.forEach(out::putLong);
    return out.array();
  }

  static LeaseRecord decode(byte[] payload) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(payload);
    try {
      long revision = in.getLong();
      boolean full = in.get() == 1;
      SortedMap<Long, Long> granted = new TreeMap<>();
      for (int n = count(in, 16); n > 0; n--) {
        granted.put(in.getLong(), in.getLong());
      }
      List<Long> gone = new ArrayList<>();
      for (int n = count(in, 8); n > 0; n--) {
        gone.add(in.getLong());
      }
      if (in.hasRemaining()) {
        throw new IOException(in.remaining() + " bytes after its last lease");
      }
      return new LeaseRecord(revision, full, granted, gone);
    } catch (BufferUnderflowException e) {
      throw new IOException("a lease record cut short", e);
    }
  }

  private static int count(ByteBuffer in, int bytesEach) throws IOException {
    int n = in.getInt();
    if (n < 0 || (long) n * bytesEach > in.remaining()) {
      throw new IOException("a lease record of " + n + " leases where " + in.remaining() + " bytes are left");
    }
    return n;
  }
}
