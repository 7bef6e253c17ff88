package io.etcdsnapshotter.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * What a chain (or a segment taken alone) holds, for an operator: its base, the revisions after it, the time span
 * its time records stamp, its segments and their size, and a torn tail if its last segment has one.
 *
 * @param firstRevision the first revision it holds; 0 for none
 * @param lastRevision the last revision it holds; 0 for none
 * @param firstTime null when no time record was read
 * @param stampedRevision the revision the last time record stamps: what the last fsync made durable
 * @param tornAt the offset in the last segment after which its bytes are a torn write; -1 for none
 */
public record ChainSummary(long baseRevision, long clusterId, long firstRevision, long lastRevision,
    Instant firstTime, Instant lastTime, long stampedRevision, int segments, long bytes, Path lastSegment,
    long tornAt) {

  /** Reads every frame of the chain, checking each and the chain's continuity; damage is an exception. */
  public static ChainSummary verify(Chain chain) throws IOException {
    Span span = new Span();
    Chain.ChainCheck check = chain.check(record -> {
      span.add(record);
      return true;
    });
    Segment last = check.last;
    long tornAt = last != null && last.torn() ? last.end() : -1;
    return span.summary(chain, check.clusterId, tornAt);
  }

  /**
   * Reads only the first time record and the last segments, not checking the frames in between: what status
   * prints at the cost of a segment or two however long the chain.
   */
  public static ChainSummary glance(Chain chain) throws IOException {
    Span span = new Span();
    long[] clusterId = {0};
    Segment.read(chain.segments().get(0), chain.isLast(0), chain.keys(), new Segment.Visitor() {
      @Override
      public void header(SegmentHeader header) {
        clusterId[0] = header.clusterId();
      }

      @Override
      public boolean record(Record record, long offset) {
        span.add(record);
        return span.firstTime == null;
      }
    });
    span.lastTime = null;
    Segment last = null;
    for (int i = chain.segments().size() - 1; i >= 0 && span.lastRevision == 0; i--) {
      Span tail = new Span();
      Segment read = Segment.read(chain.segments().get(i), chain.isLast(i), chain.keys(), (record, offset) -> {
        tail.add(record);
        return true;
      });
      last = last == null ? read : last;
      if (span.lastTime == null) {
        span.lastTime = tail.lastTime;
        span.stampedRevision = tail.stampedRevision;
      }
      span.lastRevision = tail.lastRevision;
      if (span.firstRevision == 0 && tail.lastRevision != 0) {
        span.firstRevision = chain.firstSequence() == 0 ? chain.baseRevision() + 1 : tail.firstRevision;
      }
    }
    return span.summary(chain, clusterId[0], last.torn() ? last.end() : -1);
  }

  /** One line: what the chain holds and whether its end is torn. */
  public String describe() {
    String revisions = lastRevision == 0 ? "no revision yet" : "revisions " + firstRevision + " to " + lastRevision;
    String time = firstTime == null ? "no time recorded"
        : firstTime + " to " + lastTime + " (fsynced up to revision " + stampedRevision + ")";
    String torn = tornAt < 0 ? "" : "; a torn write after offset " + tornAt + " of " + lastSegment
        + " (cut off when the journal next starts)";
    return "chain from revision " + baseRevision + " of cluster " + Long.toHexString(clusterId) + ": " + revisions
        + ", " + time + ", " + segments + (segments == 1 ? " segment, " : " segments, ") + bytes + " bytes" + torn;
  }

  /** The revisions and times seen. */
  private static final class Span {
    long firstRevision;
    long lastRevision;
    Instant firstTime;
    Instant lastTime;
    long stampedRevision;

    void add(Record record) {
      if (record instanceof RevisionRecord r) {
        firstRevision = firstRevision == 0 ? r.revision() : firstRevision;
        lastRevision = r.revision();
      } else if (record instanceof TimeRecord t) {
        Instant at = Instant.ofEpochMilli(t.epochMillis());
        firstTime = firstTime == null ? at : firstTime;
        lastTime = at;
        stampedRevision = t.revision();
      }
    }

    ChainSummary summary(Chain chain, long clusterId, long tornAt) throws IOException {
      long bytes = 0;
      for (Path segment : chain.segments()) {
        bytes += Files.size(segment);
      }
      Path lastSegment = chain.segments().get(chain.segments().size() - 1);
      return new ChainSummary(chain.baseRevision(), clusterId, firstRevision, lastRevision, firstTime, lastTime,
          stampedRevision, chain.segments().size(), bytes, lastSegment, tornAt);
    }
  }
}
