package io.etcdsnapshotter.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcdsnapshotter.journal.LeaseRecord;
import java.io.IOException;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Which leases a restore to N writes, from the journal's lease records and the puts that name them. */
class LeasesTest {
  private static final ByteString KEY = ByteString.copyFromUtf8("/k");

  @Test
  void aLeaseGrantedBeforeItsPollIsTakenFromARecordAfterTheTarget() throws IOException {
    Leases leases = new Leases();
    leases.put(KEY, 7, 20);
    assertThat(leases.pending()).isTrue();
    leases.apply(record(19, false, 7L, 60L, List.of(8L)));
    assertThat(leases.pending()).isFalse();
    assertThat(leases.bucket()).hasSize(1);
  }

  @Test
  void aLeaseNeverSeenIsARefusalUnlessItsKeysAreGoneByTheTarget() throws IOException {
    Leases leases = new Leases();
    leases.put(KEY, 7, 20);
    leases.applyAfter(record(30, false, 9L, 60L, List.of()));
    assertThatThrownBy(leases::bucket).hasMessageContaining("revision 20 attaches a key to lease 7")
        .hasMessageContaining("restore to a revision before 20");
    leases.deleted(KEY);
    assertThat(leases.bucket()).isEmpty();
  }

  @Test
  void aFullRecordKeepsOnlyTheLeasesItListsAndGoneLeasesAreDropped() throws IOException {
    Leases leases = new Leases();
    leases.apply(record(10, false, 1L, 60L, List.of()));
    leases.apply(record(11, false, 2L, 60L, List.of()));
    leases.apply(record(12, true, 2L, 60L, List.of()));
    assertThat(leases.bucket()).hasSize(1).containsKey(Backend.bigEndian(2));
    leases.apply(record(13, false, 3L, 90L, List.of(2L)));
    assertThat(leases.bucket()).hasSize(1).containsKey(Backend.bigEndian(3));
    assertThat(leases.bucket().get(Backend.bigEndian(3))).as("leasepb.Lease {ID 3, TTL 90}")
        .containsExactly(0x08, 3, 0x10, 90);
  }

  private static LeaseRecord record(long revision, boolean full, long id, long ttl, List<Long> gone) {
    TreeMap<Long, Long> granted = new TreeMap<>();
    granted.put(id, ttl);
    return new LeaseRecord(revision, full, granted, gone);
  }
}
