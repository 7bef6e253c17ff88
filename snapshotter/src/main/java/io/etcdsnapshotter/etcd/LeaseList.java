package io.etcdsnapshotter.etcd;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.ResponseHeader;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * etcd's Lease/LeaseLeases call (every lease alive, by ID), which the gRPC API jetcd ships predates: the request is
 * empty, the response {@code {ResponseHeader header = 1; repeated LeaseStatus leases = 2}} with
 * {@code LeaseStatus {int64 ID = 1}}, decoded here.
 *
 * @param revision the store revision the member answered at
 */
public record LeaseList(long revision, List<Long> ids) {
  private static final MethodDescriptor<byte[], byte[]> LEASE_LEASES = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("etcdserverpb.Lease", "LeaseLeases"))
      .setRequestMarshaller(new Bytes()).setResponseMarshaller(new Bytes()).build();

  /** Lists the member's leases, with the stub's auth token, within {@code millis}. */
  public static LeaseList of(LeaseGrpc.LeaseBlockingStub stub, long millis) throws IOException {
    byte[] response = ClientCalls.blockingUnaryCall(stub.getChannel(), LEASE_LEASES,
        stub.getCallOptions().withDeadlineAfter(millis, TimeUnit.MILLISECONDS), new byte[0]);
    return decode(response);
  }

  static LeaseList decode(byte[] response) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(response);
    long revision = 0;
    List<Long> ids = new ArrayList<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (is(tag, 1, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        revision = ResponseHeader.parseFrom(in.readBytes()).getRevision();
      } else if (is(tag, 2, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        ids.add(id(in.readBytes().newCodedInput()));
      } else {
        in.skipField(tag);
      }
    }
    return new LeaseList(revision, List.copyOf(ids));
  }

  private static long id(CodedInputStream status) throws IOException {
    long id = 0;
    for (int tag = status.readTag(); tag != 0; tag = status.readTag()) {
      if (is(tag, 1, WireFormat.WIRETYPE_VARINT)) {
        id = status.readInt64();
      } else {
        status.skipField(tag);
      }
    }
    return id;
  }

  private static boolean is(int tag, int field, int wireType) {
    return WireFormat.getTagFieldNumber(tag) == field && WireFormat.getTagWireType(tag) == wireType;
  }

  /** Messages as their encoded bytes. */
  private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
