package io.etcdsnapshotter.journal;

import static io.etcdsnapshotter.journal.JournalTest.revision;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdsnapshotter.encryption.DataKeys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segments sealed under a data key: what the volume holds, and what a reader without the key or a tamperer meets. */
class SealedJournalTest {
  private static final long CLUSTER = 0xcdf818194e3a8c32L;

  @TempDir Path dir;
  private final LocalKeys keys = new LocalKeys();

  @Test
  void sealedSegmentsReadBackAsWrittenAndHoldNoKeyOrValueInTheClear() throws IOException {
    List<RevisionRecord> written = new ArrayList<>();
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 100, 300, keys)) {
      for (long rev = 101; rev <= 120; rev++) {
        RevisionRecord record = revision(rev, "secret-value-" + rev);
        writer.append(record);
        written.add(record);
      }
    }
    assertThat(revisions(keys.reader())).isEqualTo(written);
    Chain chain = Chain.list(dir, keys.reader()).get(0);
    assertThat(chain.segments()).hasSizeGreaterThan(3);
    for (Path segment : chain.segments()) {
      String raw = new String(Files.readAllBytes(segment), StandardCharsets.ISO_8859_1);
      assertThat(raw).as(segment.toString()).contains(LocalKeys.KEY_ID).doesNotContain("secret-value-");
    }
  }

  @Test
  void withoutTheKeyASealedSegmentIsOneLineNamingItAndItsKmsKey() throws IOException {
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 10, 1 << 20, keys)) {
      writer.append(revision(11, 1));
    }
    Path segment = Chain.list(dir, DataKeys.NONE).get(0).segments().get(0);
    assertThatThrownBy(() -> revisions(DataKeys.NONE)).hasMessageContaining("journal segment " + segment)
        .hasMessageContaining("cannot decrypt its data key").hasMessageContaining(LocalKeys.KEY_ID)
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> revisions(new LocalKeys().reader())).hasMessageContaining("cannot decrypt its data key");
  }

  /** Frames keep valid checksums when swapped whole: only the seal tells that they are not where they were written. */
  @Test
  void sealedRecordsSwappedWithValidChecksumsAreCorruptNeverMisread() throws IOException {
    Path segment = sealedSegmentOfRevisions11To13();
    byte[] bytes = Files.readAllBytes(segment);
    List<Integer> frames = frameOffsets(bytes);
    // The chain's start and the time its first sync stamped, then revisions 11 to 13, of one length.
    int first = frames.get(2);
    int second = frames.get(3);
    int length = second - first;
    assertThat(frames.get(4) - second).isEqualTo(length);
    byte[] swapped = bytes.clone();
    System.arraycopy(bytes, second, swapped, first, length);
    System.arraycopy(bytes, first, swapped, second, length);
    Files.write(segment, swapped);
    assertThatThrownBy(() -> revisions(keys.reader())).hasMessageContaining("corrupt at offset " + first)
        .hasMessageContaining("does not decrypt");
  }

  @Test
  void aRestartCutsTheTornTailAndGoesOnInANewSealedSegment() throws IOException {
    Path segment = sealedSegmentOfRevisions11To13();
    int good = frameOffsets(Files.readAllBytes(segment)).get(4); // revision 13's frame, cut within
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      channel.truncate(good + 20);
    }
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 10, 1 << 20, keys)) {
      assertThat(writer.lastRevision()).isEqualTo(12);
      writer.append(revision(13, 1));
    }
    assertThat(Files.size(segment)).isEqualTo(good);
    assertThat(Chain.list(dir, keys.reader()).get(0).segments()).hasSize(2);
    assertThat(revisions(keys.reader())).extracting(RevisionRecord::revision).containsExactly(11L, 12L, 13L);
  }

  /** Turning encryption on seals what comes next; the plain segments before read as they are. */
  @Test
  void aPlainChainContinuedWithAKeyGoesOnSealed() throws IOException {
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 10, 1 << 20, SegmentKeys.PLAIN)) {
      writer.append(revision(11, 1));
    }
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 10, 1 << 20, keys)) {
      writer.append(revision(12, 1));
    }
    List<Path> segments = Chain.list(dir, keys.reader()).get(0).segments();
    assertThat(segments).hasSize(2);
    assertThat(new String(Files.readAllBytes(segments.get(1)), StandardCharsets.ISO_8859_1))
        .doesNotContain("/k/12");
    assertThat(revisions(keys.reader())).extracting(RevisionRecord::revision).containsExactly(11L, 12L);
  }

  @Test
  void aRollOfASealedChainStartsASealedChain() throws IOException {
    JournalWriter writer = JournalWriter.open(dir, CLUSTER, 10, 300, keys);
    for (long rev = 11; rev <= 20; rev++) {
      writer.append(revision(rev, 2));
    }
    try (JournalWriter next = writer.roll(15)) {
      next.append(revision(21, 1));
    }
    List<Chain> chains = Chain.list(dir, keys.reader());
    assertThat(chains).extracting(Chain::baseRevision).containsExactly(10L, 15L);
    List<Long> copied = new ArrayList<>();
    chains.get(1).read(r -> {
      if (r instanceof RevisionRecord rev) {
        copied.add(rev.revision());
      }
      return true;
    });
    assertThat(copied).containsExactly(16L, 17L, 18L, 19L, 20L, 21L);
    for (Path segment : chains.get(1).segments()) {
      assertThat(new String(Files.readAllBytes(segment), StandardCharsets.ISO_8859_1)).doesNotContain("/k/1");
    }
  }

  private Path sealedSegmentOfRevisions11To13() throws IOException {
    try (JournalWriter writer = JournalWriter.open(dir, CLUSTER, 10, 1 << 20, keys)) {
      for (long rev = 11; rev <= 13; rev++) {
        writer.append(revision(rev, 1));
      }
    }
    return Chain.list(dir, keys.reader()).get(0).segments().get(0);
  }

  private static List<Integer> frameOffsets(byte[] segment) {
    ByteBuffer bytes = ByteBuffer.wrap(segment);
    List<Integer> offsets = new ArrayList<>();
    for (int at = SegmentHeader.length(bytes); at < segment.length; at += Frame.HEADER + Frame.length(bytes, at)) {
      offsets.add(at);
    }
    return offsets;
  }

  private List<RevisionRecord> revisions(DataKeys reader) throws IOException {
    List<RevisionRecord> records = new ArrayList<>();
    for (Chain chain : Chain.list(dir, reader)) {
      chain.read(r -> {
        if (r instanceof RevisionRecord rev) {
          records.add(rev.kept());
        }
        return true;
      });
    }
    return records;
  }
}
