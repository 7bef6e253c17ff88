package io.etcdsnapshotter.health;

import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.HashKVResponse;
import io.etcdsnapshotter.Background;
import io.etcdsnapshotter.etcd.FailureCause;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Asks every healthy member for {@code HashKV} at one revision and compares. The revision is the last compaction's,
 * whose hash etcd keeps from the compaction ({@link LastCompaction}); a cluster never compacted is compared at the
 * lowest current revision among the members, which every member has applied, and when a compaction passes that
 * meanwhile, at the highest compact revision they report, once. Hashes are only comparable between members at the
 * same compact revision, as etcd's own corruption check holds.
 */
final class HashComparison {
  private final Duration timeout;
  private final Map<Probe, Long> hashes = new HashMap<>();

  HashComparison(Duration timeout) {
    this.timeout = timeout;
  }

  /** The hash each member reported, for the table; empty for members not compared. */
  Map<Probe, Long> hashes() {
    return hashes;
  }

  Agreement compare(List<Probe> members) {
    if (members.size() < 2) {
      return Agreement.notCompared("fewer than two healthy members to compare");
    }
    long compacted = LastCompaction.of(members.get(0).channel(), timeout);
    if (compacted > 0) {
      try {
        Map<Probe, HashKVResponse> answers = hashAt(members, compacted);
        // A member that did not take part in that compaction (restarted since, or new) computes a hash of other
        // bounds, which says so in its compact revision: then all are compared at the current revision instead.
        if (oneCompaction(answers)) {
          return agreement(answers, compacted);
        }
      } catch (RuntimeException e) {
        // compacted again meanwhile: the current revision below
      }
    }
    return compareCurrent(members);
  }

  private Agreement compareCurrent(List<Probe> members) {
    long revision = members.stream().mapToLong(p -> p.status().getHeader().getRevision()).min().orElseThrow();
    Map<Probe, HashKVResponse> answers;
    try {
      answers = hashAt(members, revision);
    } catch (RuntimeException e) {
      if (!FailureCause.describe(e).contains("compacted")) {
        return Agreement.notCompared("HashKV failed: " + FailureCause.describe(e));
      }
      try {
        revision = hashAt(members, 0).values().stream().mapToLong(HashKVResponse::getCompactRevision).max()
            .orElseThrow();
        answers = hashAt(members, revision);
      } catch (RuntimeException again) {
        return Agreement.notCompared("HashKV failed: " + FailureCause.describe(again));
      }
    }
    if (oneCompaction(answers)) {
      return agreement(answers, revision);
    }
    // That revision is a compaction's, whose kept hash some members serve and others compute with other bounds:
    // asked for their current revision instead, each computes it afresh.
    try {
      answers = hashAt(members, 0);
    } catch (RuntimeException e) {
      return Agreement.notCompared("HashKV failed: " + FailureCause.describe(e));
    }
    if (oneCompaction(answers) && answers.values().stream().map(a -> a.getHeader().getRevision()).distinct()
        .count() == 1) {
      return agreement(answers, answers.values().iterator().next().getHeader().getRevision());
    }
    answers.forEach((member, answer) -> hashes.put(member, Integer.toUnsignedLong(answer.getHash())));
    return Agreement.notCompared("members report different compact or current revisions (a compaction is being"
        + " applied, or writes went on meanwhile); run check again");
  }

  private static boolean oneCompaction(Map<Probe, HashKVResponse> answers) {
    return answers.values().stream().map(HashKVResponse::getCompactRevision).distinct().count() == 1;
  }

  private Agreement agreement(Map<Probe, HashKVResponse> answers, long revision) {
    answers.forEach((member, answer) -> hashes.put(member, Integer.toUnsignedLong(answer.getHash())));
    Map<Long, Long> counts = hashes.values().stream()
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    if (counts.size() == 1) {
      return new Agreement(true, true, revision, "all " + answers.size() + " members hash alike at revision "
          + revision);
    }
    return new Agreement(true, false, revision, counts.size() + " different hashes among " + answers.size()
        + " members at revision " + revision);
  }

  /** The hash everyone else would need to match: the most common one. */
  long majorityHash() {
    return hashes.values().stream()
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
        .entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }

  /**
   * Each member's {@code HashKV} at {@code revision}, all at once: etcd reads its whole keyspace for it, seconds on a
   * database of a few GiB, and the members do that on their own masters.
   */
  private Map<Probe, HashKVResponse> hashAt(List<Probe> members, long revision) {
    Map<Probe, Background<HashKVResponse>> asked = new LinkedHashMap<>();
    for (Probe member : members) {
      asked.put(member, Background.start("HashKV of " + member.endpoint(), () -> member.channel().maintenance()
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .hashKV(HashKVRequest.newBuilder().setRevision(revision).build())));
    }
    Map<Probe, HashKVResponse> answers = new HashMap<>();
    try {
      for (Map.Entry<Probe, Background<HashKVResponse>> answer : asked.entrySet()) {
        answers.put(answer.getKey(), answer.getValue().await());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      asked.values().forEach(Background::cancel);
    }
    return answers;
  }
}
