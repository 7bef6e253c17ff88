package io.etcdsnapshotter.restore;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The few raft/etcd protobuf messages a restore writes, encoded with gogoproto's proto2 rules: non-nullable
 * fields are always written, even when zero, in field-number order. Only then do the WAL crc chain and the .snap
 * crc come out as etcd's.
 */
final class RaftProto {
  private static final int ENTRY_CONF_CHANGE = 1;
  private static final int CONF_CHANGE_ADD_NODE = 0;

  private RaftProto() {}

  @FunctionalInterface
  private interface Body {
    void write(CodedOutputStream out) throws IOException;
  }

  /** etcdserverpb.Metadata{NodeID, ClusterID}. */
  static byte[] metadata(long nodeId, long clusterId) {
    return encode(out -> {
      out.writeUInt64(1, nodeId);
      out.writeUInt64(2, clusterId);
    });
  }

  /** raftpb.Entry{Type: EntryConfChange, Term, Index, Data: ConfChange{AddNode member, Context: member JSON}}. */
  static byte[] confChangeEntry(long term, long index, Member member) {
    byte[] confChange = encode(out -> {
      out.writeUInt64(1, 0);
      out.writeEnum(2, CONF_CHANGE_ADD_NODE);
      out.writeUInt64(3, member.id());
      out.writeByteArray(4, member.json().getBytes(StandardCharsets.UTF_8));
    });
    return encode(out -> {
      out.writeEnum(1, ENTRY_CONF_CHANGE);
      out.writeUInt64(2, term);
      out.writeUInt64(3, index);
      out.writeByteArray(4, confChange);
    });
  }

  /** raftpb.HardState{Term, Vote, Commit}. */
  static byte[] hardState(long term, long vote, long commit) {
    return encode(out -> {
      out.writeUInt64(1, term);
      out.writeUInt64(2, vote);
      out.writeUInt64(3, commit);
    });
  }

  /** raftpb.ConfState with every member a voter (repeated, not packed) and auto_leave=false written. */
  static byte[] confState(List<Member> members) {
    return encode(out -> {
      for (Member member : members) {
        out.writeUInt64(1, member.id());
      }
      out.writeBool(5, false);
    });
  }

  /** walpb.Snapshot{Index, Term}, plus ConfState when given (etcd 3.5+ requires it for index > 0). */
  static byte[] walSnapshot(long index, long term, byte[] confState) {
    return encode(out -> {
      out.writeUInt64(1, index);
      out.writeUInt64(2, term);
      if (confState != null) {
        out.writeByteArray(3, confState);
      }
    });
  }

  /** raftpb.Snapshot{Data, Metadata{ConfState, Index, Term}}. */
  static byte[] raftSnapshot(byte[] data, byte[] confState, long index, long term) {
    byte[] metadata = encode(out -> {
      out.writeByteArray(1, confState);
      out.writeUInt64(2, index);
      out.writeUInt64(3, term);
    });
    return encode(out -> {
      out.writeByteArray(1, data);
      out.writeByteArray(2, metadata);
    });
  }

  /** snappb.Snapshot{Crc, Data}: the .snap file container. */
  static byte[] snapContainer(int crc, byte[] data) {
    return encode(out -> {
      out.writeUInt32(1, crc);
      out.writeByteArray(2, data);
    });
  }

  /** walpb.Record{Type, Crc, Data}; data is left out when null (the crc record). */
  static byte[] walRecord(long type, int crc, byte[] data) {
    return encode(out -> {
      out.writeInt64(1, type);
      out.writeUInt32(2, crc);
      if (data != null) {
        out.writeByteArray(3, data);
      }
    });
  }

  private static byte[] encode(Body body) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      body.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
