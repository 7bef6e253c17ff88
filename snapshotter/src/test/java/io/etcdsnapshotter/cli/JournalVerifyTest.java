package io.etcdsnapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import io.etcdsnapshotter.journal.JournalWriter;
import io.etcdsnapshotter.journal.RevisionRecord;
import io.etcdsnapshotter.journal.SegmentKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** verify and status of a journal: what a chain holds, and damage named by file and offset in one line. */
class JournalVerifyTest {
  private static final long CLUSTER = 0xcdf818194e3a8c32L;

  @TempDir Path dir;
  private Path journal;

  @BeforeEach
  void writeAChain() throws IOException {
    journal = dir.resolve("journal/main");
    try (JournalWriter writer = JournalWriter.open(journal, CLUSTER, 100, 400, SegmentKeys.PLAIN)) {
      for (long revision = 101; revision <= 140; revision++) {
        writer.append(revision(revision));
        if (revision % 10 == 0) {
          writer.sync();
        }
      }
    }
  }

  @Test
  void verifyAndStatusPrintTheChainsRevisionsTimeSpanAndSegments() throws IOException {
    int segments = segments().size();
    assertThat(segments).isGreaterThan(3);
    CliRun verify = CliRun.of("verify", journal.toString());
    assertThat(verify.exit()).as(verify.err()).isZero();
    assertThat(verify.out()).contains(journal + ": OK").contains("chain from revision 100 of cluster"
        + " cdf818194e3a8c32: revisions 101 to 140, ").contains(", " + segments + " segments, ")
        .doesNotContain("torn");
    CliRun status = CliRun.of("status", journal.toString());
    assertThat(status.exit()).as(status.err()).isZero();
    assertThat(chainLine(status)).isEqualTo(chainLine(verify));
    assertThat(chainLine(verify)).matches(".*, 20\\d\\d-\\d\\d-\\d\\dT[^ ]+Z to 20\\d\\d-[^ ]+Z"
        + " \\(fsynced up to revision 140\\), .*");
  }

  @Test
  void aFlippedByteIsExitOneNamingTheSegmentAndOffset() throws IOException {
    Path second = segments().get(1);
    byte[] bytes = Files.readAllBytes(second);
    bytes[bytes.length - 3] ^= 0x40;
    Files.write(second, bytes);
    CliRun verify = CliRun.of("verify", journal.toString());
    assertThat(verify.exit()).isEqualTo(1);
    assertThat(verify.err().lines()).singleElement().asString().contains(second.toString())
        .contains("corrupt at offset ");
    assertThat(verify.out()).isEmpty();
    assertThat(CliRun.of("verify", second.toString()).err()).contains(second.toString()).contains("at offset ");
  }

  @Test
  void aMissingSegmentIsAGapNamedInOneLine() throws IOException {
    Files.delete(segments().get(2));
    CliRun verify = CliRun.of("verify", journal.toString());
    assertThat(verify.exit()).isEqualTo(1);
    assertThat(verify.err().lines()).singleElement().asString().contains(segments().get(2).toString())
        .contains("segment 2 of the chain is missing");
  }

  @Test
  void aRevisionGapIsNamedByFileAndOffset() throws IOException {
    try (JournalWriter writer = JournalWriter.open(journal, CLUSTER, 100, 400, SegmentKeys.PLAIN)) {
      writer.append(revision(145));
    }
    CliRun verify = CliRun.of("verify", journal.toString());
    assertThat(verify.exit()).isEqualTo(1);
    assertThat(verify.err().lines()).singleElement().asString().containsPattern("journal segment " + journal
        + "/0{14}64-0{15}[0-9a-f]\\.journal is inconsistent at offset [1-9]").contains("revision 145 follows 140");
  }

  @Test
  void aSegmentAloneAndATornTailAreReportedNotFailed() throws IOException {
    Path last = segments().get(segments().size() - 1);
    long good = Files.size(last);
    Files.write(last, new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
    CliRun verify = CliRun.of("verify", journal.toString());
    assertThat(verify.exit()).as(verify.err()).isZero();
    assertThat(verify.out()).contains("a torn write after offset " + good + " of " + last);
    CliRun alone = CliRun.of("verify", segments().get(1).toString());
    assertThat(alone.exit()).as(alone.err()).isZero();
    assertThat(alone.out()).contains(", 1 segment, ").doesNotContain("torn");
  }

  @Test
  void aDirWithoutSegmentsIsNamed() throws IOException {
    CliRun verify = CliRun.of("verify", Files.createDirectory(dir.resolve("empty")).toString());
    assertThat(verify.exit()).isEqualTo(1);
    assertThat(verify.err()).contains("holds no journal segment");
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(journal)) {
      return files.sorted().toList();
    }
  }

  private static String chainLine(CliRun run) {
    return run.out().lines().filter(line -> line.contains("chain from")).findFirst().orElseThrow();
  }

  private static RevisionRecord revision(long revision) {
    KeyValue kv = KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("/k/" + revision))
        .setValue(ByteString.copyFromUtf8("value of " + revision)).setCreateRevision(revision)
        .setModRevision(revision).setVersion(1).build();
    return new RevisionRecord(revision, List.of(Event.newBuilder().setKv(kv).build()));
  }
}
