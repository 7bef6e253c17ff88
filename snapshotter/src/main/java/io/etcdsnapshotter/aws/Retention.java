package io.etcdsnapshotter.aws;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.SnapshotState;

/**
 * Which of one volume's EBS snapshots (or one cluster's S3 copies) expire: beyond the newest {@code keep} ({@code 0}:
 * no count limit) or older than {@code maxAge} ({@code null}: no age limit). The newest whole copy never expires, and
 * copies still being made are left alone: a restore needs at least one whole snapshot.
 */
public record Retention(int keep, Duration maxAge) {
  public List<Snapshot> expired(List<Snapshot> snapshots, Instant now) {
    return expired(snapshots, Snapshot::startTime, s -> s.state() == SnapshotState.COMPLETED,
        s -> s.state() == SnapshotState.PENDING, now);
  }

  /**
   * {@code copies} taken at {@code takenAt}, of which those {@code whole} may be restored and those {@code inProgress}
   * are still being made.
   */
  public <T> List<T> expired(List<T> copies, Function<T, Instant> takenAt, Predicate<T> whole,
      Predicate<T> inProgress, Instant now) {
    List<T> newestFirst = new ArrayList<>(copies);
    newestFirst.sort(Comparator.comparing(takenAt).reversed());
    T newestWhole = newestFirst.stream().filter(whole).findFirst().orElse(null);
    List<T> expired = new ArrayList<>();
    for (int i = 0; i < newestFirst.size(); i++) {
      T copy = newestFirst.get(i);
      boolean tooMany = keep > 0 && i >= keep;
      boolean tooOld = maxAge != null && takenAt.apply(copy).isBefore(now.minus(maxAge));
      if ((tooMany || tooOld) && copy != newestWhole && !inProgress.test(copy)) {
        expired.add(copy);
      }
    }
    return expired;
  }
}
