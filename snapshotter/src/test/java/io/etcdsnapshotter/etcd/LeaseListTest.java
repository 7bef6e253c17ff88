package io.etcdsnapshotter.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.etcd.jetcd.api.ResponseHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** LeaseLeases' response, decoded by field number as etcd encodes it. */
class LeaseListTest {
  @Test
  void theRevisionAndEveryLeaseIdAreRead() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeBytes(1, ResponseHeader.newBuilder().setRevision(1234).setClusterId(5).build().toByteString());
    for (long id : new long[] {0x694d9a1b2c3d4e5fL, 7}) {
      out.writeBytes(2, status(id));
    }
    out.writeInt64(9, 42);
    out.flush();
    assertThat(LeaseList.decode(bytes.toByteArray())).isEqualTo(new LeaseList(1234,
        java.util.List.of(0x694d9a1b2c3d4e5fL, 7L)));
  }

  private static ByteString status(long id) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeInt64(1, id);
    out.flush();
    return ByteString.copyFrom(bytes.toByteArray());
  }
}
