package io.etcdsnapshotter.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcdsnapshotter.encryption.DataKeys;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
  private static final long CLUSTER = 0xcdf818194e3a8c32L;

  @TempDir Path dir;

  @Test
  void recordsReadBackAsWrittenAcrossSegmentsInPrivateFiles() throws IOException {
    List<RevisionRecord> written = new ArrayList<>();
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 100, 300, SegmentKeys.PLAIN)) {
      for (long rev = 101; rev <= 120; rev++) {
        RevisionRecord record = revision(rev, rev % 3 == 0 ? 3 : 1);
        writer.append(record);
        written.add(record);
      }
    }
    assertThat(revisions(dir)).isEqualTo(written);
    Chain chain = Chain.list(dir, DataKeys.NONE).get(0);
    assertThat(chain.baseRevision()).isEqualTo(100);
    assertThat(chain.segments()).hasSizeGreaterThan(3);
    for (Path segment : chain.segments()) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(segment))).isEqualTo("rw-------");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    List<Record> all = all(dir);
    assertThat(all.get(0)).isEqualTo(new ChainStart(100, CLUSTER));
    assertThat(all).filteredOn(r -> r instanceof TimeRecord).isNotEmpty();
  }

  /**
   * A record read back is a view of the read window, which moves on: held past its visit, its use fails loudly
   * rather than read another record's bytes; kept, it stays whole.
   */
  @Test
  void aRecordHeldPastItsVisitFailsUnlessKept() throws IOException {
    List<RevisionRecord> written = new ArrayList<>();
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 100, 64 << 20, SegmentKeys.PLAIN)) {
      for (long rev = 101; rev <= 130; rev++) {
        RevisionRecord record = revision(rev, "v".repeat(100_000));
        writer.append(record);
        written.add(record);
      }
    }
    List<RevisionRecord> held = new ArrayList<>();
    List<RevisionRecord> kept = new ArrayList<>();
    Chain.list(dir, DataKeys.NONE).get(0).read(record -> {
      if (record instanceof RevisionRecord revision) {
        held.add(revision);
        kept.add(revision.kept());
      }
      return true;
    });
    assertThat(kept).isEqualTo(written);
    assertThatThrownBy(() -> held.get(0).events()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("revision 101").hasMessageContaining("kept()");
  }

  /** Segments are read through a window of 1 MiB: records across its edges, and one larger than it, read whole. */
  @Test
  void recordsAcrossAndLargerThanTheReadWindowReadBackAsWritten() throws IOException {
    List<RevisionRecord> written = new ArrayList<>();
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 100, 64 << 20, SegmentKeys.PLAIN)) {
      for (long rev = 101; rev <= 160; rev++) {
        int valueBytes = rev == 130 ? 3 << 20 : 70_000 + (int) rev * 997;
        RevisionRecord record = revision(rev, "x".repeat(valueBytes));
        writer.append(record);
        written.add(record);
      }
    }
    assertThat(Chain.list(dir, DataKeys.NONE).get(0).segments()).hasSize(1);
    assertThat(revisions(dir)).isEqualTo(written);
  }

  @Test
  void onlyTheFirstRevisionMayBeFurtherFromTheBaseThanOne() throws IOException {
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 0, 1 << 20, SegmentKeys.PLAIN)) {
      writer.append(revision(2, 1));
      writer.append(revision(3, 1));
    }
    assertThat(revisions(dir)).extracting(RevisionRecord::revision).containsExactly(2L, 3L);
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 0, 1 << 20, SegmentKeys.PLAIN)) {
      writer.append(revision(5, 1));
    }
    assertThatThrownBy(() -> revisions(dir)).hasMessageContaining("revision 5 follows 3");
  }

  @Test
  void leaseRecordsReadBackStampedNoEarlierThanTheRevisionsBeforeThem() throws IOException {
    java.util.TreeMap<Long, Long> granted = new java.util.TreeMap<>(java.util.Map.of(7L, 60L, 9L, 3600L));
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 100, 1 << 20, SegmentKeys.PLAIN)) {
      writer.appendLeases(100, true, granted, List.of());
      writer.append(revision(101, 1));
      writer.append(revision(102, 1));
      writer.appendLeases(101, false, new java.util.TreeMap<>(), List.of(7L));
    }
    assertThat(all(dir)).filteredOn(r -> r instanceof LeaseRecord).containsExactly(
        new LeaseRecord(100, true, granted, List.of()),
        new LeaseRecord(102, false, new java.util.TreeMap<>(), List.of(7L)));
  }

  @Test
  void aTornLastRecordIsCutOffAtEveryByteAndTheJournalContinues() throws IOException {
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 10, 1 << 20, SegmentKeys.PLAIN)) {
      writer.append(revision(11, 2));
      writer.sync();
    }
    Path segment = Chain.list(dir, DataKeys.NONE).get(0).segments().get(0);
    long good = Files.size(segment);
    RevisionRecord last = revision(12, 3);
    int frame = last.frame().size();
    byte[] full;
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 10, 1 << 20, SegmentKeys.PLAIN)) {
      writer.append(last);
    }
    full = Files.readAllBytes(segment);
    for (int cut = 0; cut < frame; cut++) {
      Files.write(segment, java.util.Arrays.copyOf(full, (int) good + cut));
      assertThat(revisions(dir)).as("cut at " + cut).extracting(RevisionRecord::revision).containsExactly(11L);
      try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 10, 1 << 20, SegmentKeys.PLAIN)) {
        assertThat(writer.lastRevision()).isEqualTo(11);
        writer.append(revision(12, 1));
      }
      assertThat(revisions(dir)).extracting(RevisionRecord::revision).containsExactly(11L, 12L);
    }
  }

  @Test
  void zerosAfterTheLastRecordAreATornTail() throws IOException {
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 10, 1 << 20, SegmentKeys.PLAIN)) {
      writer.append(revision(11, 1));
    }
    Path segment = Chain.list(dir, DataKeys.NONE).get(0).segments().get(0);
    Files.write(segment, new byte[4096], StandardOpenOption.APPEND);
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 10, 1 << 20, SegmentKeys.PLAIN)) {
      writer.append(revision(12, 1));
    }
    assertThat(revisions(dir)).extracting(RevisionRecord::revision).containsExactly(11L, 12L);
  }

  @Test
  void aFlippedBitBeforeTheLastRecordIsAnErrorNamingFileAndOffsetNeverAMisread() throws IOException {
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 10, 1 << 20, SegmentKeys.PLAIN)) {
      writer.append(revision(11, 2));
      writer.append(revision(12, 2));
      writer.append(revision(13, 2));
    }
    Path segment = Chain.list(dir, DataKeys.NONE).get(0).segments().get(0);
    byte[] original = Files.readAllBytes(segment);
    List<Integer> revisionFrames = revisionFrameOffsets(original);
    int secondStart = revisionFrames.get(1);
    int secondEnd = revisionFrames.get(2);
    for (int bit = secondStart * 8; bit < secondEnd * 8; bit++) {
      byte[] damaged = original.clone();
      damaged[bit / 8] ^= (byte) (1 << (bit % 8));
      Files.write(segment, damaged);
      assertThatThrownBy(() -> revisions(dir)).as("bit " + bit)
          .hasMessageContaining(segment.toString()).hasMessageContaining("corrupt at offset " + secondStart);
      assertThatThrownBy(() -> JournalWriter.open(dir, CLUSTER, 10, 1 << 20, SegmentKeys.PLAIN).close())
          .hasMessageContaining("corrupt at offset " + secondStart);
    }
    Files.write(segment, original);
    assertThat(revisions(dir)).hasSize(3);
  }

  @Test
  void aDamagedSegmentThatIsNotTheLastIsCorruptEvenAtItsEnd() throws IOException {
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 10, 100, SegmentKeys.PLAIN)) {
      for (long rev = 11; rev <= 15; rev++) {
        writer.append(revision(rev, 1));
      }
    }
    Path first = Chain.list(dir, DataKeys.NONE).get(0).segments().get(0);
    try (FileChannel channel = FileChannel.open(first, StandardOpenOption.WRITE)) {
      channel.truncate(Files.size(first) - 1);
    }
    assertThatThrownBy(() -> revisions(dir)).hasMessageContaining(first.toString())
        .hasMessageContaining("not the chain's last");
  }

  /**
   * After a restore gave the cluster a new ID, its journal begins a chain of its own beside the old cluster's, even
   * below them (a restore to an older point), and goes on with that one, never with the old cluster's.
   */
  @Test
  void anotherClustersJournalBeginsAChainOfItsOwnAndContinuesIt() throws IOException {
    try (JournalWriter old = JournalWriter.open(dir, CLUSTER, 10, 1 << 20, SegmentKeys.PLAIN)) {
      old.append(revision(11, 1));
      old.append(revision(12, 1));
    }
    long restored = CLUSTER + 1;
    try (JournalWriter writer = JournalWriter.open(dir, restored, 5, 1 << 20, SegmentKeys.PLAIN)) {
      assertThat(writer.baseRevision()).isEqualTo(5);
      writer.append(revision(6, 1));
    }
    try (JournalWriter writer = JournalWriter.open(dir, restored, 5, 1 << 20, SegmentKeys.PLAIN)) {
      assertThat(writer.baseRevision()).as("its own chain, though the old cluster's is based higher").isEqualTo(5);
      assertThat(writer.lastRevision()).isEqualTo(6);
      writer.append(revision(7, 1));
    }
    List<Chain> chains = Chain.list(dir, DataKeys.NONE);
    assertThat(chains).extracting(Chain::baseRevision).containsExactly(5L, 10L);
    assertThat(chains.get(0).clusterIdHex()).isEqualTo(Long.toHexString(restored));
    assertThat(chains.get(0).lastRevision()).isEqualTo(7);
    assertThat(chains.get(1).clusterIdHex()).isEqualTo("cdf818194e3a8c32");
    assertThat(chains.get(1).lastRevision()).isEqualTo(12);
  }

  @Test
  void anotherClustersChainAtTheSameBaseIsRefused() throws IOException {
    JournalWriter.open(dir, CLUSTER, 10, 1 << 20, SegmentKeys.PLAIN).close();
    assertThatThrownBy(() -> JournalWriter.open(dir, CLUSTER + 1, 10, 1 << 20, SegmentKeys.PLAIN))
        .hasMessageContaining("holds a chain from revision 10 of etcd cluster cdf818194e3a8c32")
        .hasMessageContaining("move that journal dir aside");
  }

  /** The revisions up to a newer snapshot's can only be held by the chain before it, so that chain goes on. */
  @Test
  void aChainEndingBeforeANewerSnapshotIsContinuedAndANewChainStartsPastAGap() throws IOException {
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 10, 1 << 20, SegmentKeys.PLAIN)) {
      writer.append(revision(11, 1));
    }
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 50, 1 << 20, SegmentKeys.PLAIN)) {
      assertThat(writer.baseRevision()).isEqualTo(10);
      assertThat(writer.lastRevision()).isEqualTo(11);
      writer.append(revision(12, 1));
    }
    try (JournalWriter writer = JournalWriter.newChain(dir, CLUSTER, 50, 1 << 20, SegmentKeys.PLAIN)) {
      writer.append(revision(51, 1));
    }
    assertThat(Chain.list(dir, DataKeys.NONE)).extracting(Chain::baseRevision).containsExactly(10L, 50L);
    assertThat(Chain.list(dir, DataKeys.NONE)).extracting(Chain::lastRevision).containsExactly(12L, 51L);
  }

  @Test
  void aRollCopiesTheRevisionsAfterTheNewBaseAndLeavesTheOldChainWhole() throws IOException {
    java.util.TreeMap<Long, Long> granted = new java.util.TreeMap<>(java.util.Map.of(7L, 60L));
    JournalWriter writer = JournalWriter.open(dir, CLUSTER, 10, 300, SegmentKeys.PLAIN);
    for (long rev = 11; rev <= 20; rev++) {
      writer.append(revision(rev, 2));
      if (rev == 12 || rev == 16) {
        writer.appendLeases(rev, false, granted, List.of());
      }
    }
    assertThatThrownBy(() -> writer.roll(21)).hasMessageContaining("within the revisions the old one holds");
    try (JournalWriter next = writer.roll(15)) {
      assertThat(next.baseRevision()).isEqualTo(15);
      assertThat(next.lastRevision()).isEqualTo(20);
      assertThat(next.durableRevision()).isEqualTo(20);
      next.append(revision(21, 1));
    }
    List<Chain> chains = Chain.list(dir, DataKeys.NONE);
    assertThat(chains).extracting(Chain::baseRevision).containsExactly(10L, 15L);
    List<Record> old = new ArrayList<>();
    chains.get(0).read(r -> old.add(r.kept()));
    assertThat(old).filteredOn(r -> r instanceof RevisionRecord).extracting(r -> ((RevisionRecord) r).revision())
        .containsExactly(11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L);
    List<Record> copied = new ArrayList<>();
    chains.get(1).read(r -> copied.add(r.kept()));
    assertThat(copied.get(0)).isEqualTo(new ChainStart(15, CLUSTER));
    assertThat(copied).filteredOn(r -> r instanceof RevisionRecord).containsExactly(revision(16, 2),
        revision(17, 2), revision(18, 2), revision(19, 2), revision(20, 2), revision(21, 1));
    assertThat(copied).filteredOn(r -> r instanceof LeaseRecord)
        .containsExactly(new LeaseRecord(16, false, granted, List.of()));
    try (JournalWriter resumed = JournalWriter.open(dir, CLUSTER, 15, 300, SegmentKeys.PLAIN)) {
      assertThat(resumed.baseRevision()).as("a restart continues the new chain").isEqualTo(15);
      assertThat(resumed.lastRevision()).isEqualTo(21);
    }
  }

  static RevisionRecord revision(long rev, int events) {
    List<Event> list = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      KeyValue kv = KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("/k/" + rev + "/" + i))
          .setValue(ByteString.copyFromUtf8("v" + rev)).setCreateRevision(rev).setModRevision(rev).setVersion(1)
          .build();
      list.add(Event.newBuilder().setType(i == 2 ? Event.EventType.DELETE : Event.EventType.PUT).setKv(kv).build());
    }
    return new RevisionRecord(rev, list);
  }

  static RevisionRecord revision(long rev, String value) {
    KeyValue kv = KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("/k/" + rev))
        .setValue(ByteString.copyFromUtf8(value)).setCreateRevision(rev).setModRevision(rev).setVersion(1).build();
    return new RevisionRecord(rev, List.of(Event.newBuilder().setKv(kv).build()));
  }

  /** Where each revision record's frame starts, found by walking the frames. */
  private static List<Integer> revisionFrameOffsets(byte[] segment) {
    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(segment);
    List<Integer> offsets = new ArrayList<>();
    for (int at = SegmentHeader.PREFIX; at < segment.length; at += Frame.HEADER + Frame.length(bytes, at)) {
      if (segment[at + Frame.HEADER - 1] == RevisionRecord.TYPE) {
        offsets.add(at);
      }
    }
    return offsets;
  }

  private static List<RevisionRecord> revisions(Path dir) throws IOException {
    return all(dir).stream().filter(r -> r instanceof RevisionRecord).map(r -> (RevisionRecord) r).toList();
  }

  private static List<Record> all(Path dir) throws IOException {
    List<Record> records = new ArrayList<>();
    for (Chain chain : Chain.list(dir, DataKeys.NONE)) {
      chain.read(r -> records.add(r.kept()));
    }
    return records;
  }
}
