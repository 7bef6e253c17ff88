package io.etcdsnapshotter.aws;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.SnapshotState;

/**
 * Which of one volume's EBS snapshots expire: beyond the newest {@code keep} ({@code 0}: no count limit) or older
 * than {@code maxAge} ({@code null}: no age limit). The newest completed snapshot never expires, and snapshots still
 * pending are left alone: a restore needs at least one whole snapshot.
 */
public record Retention(int keep, Duration maxAge) {
  public List<Snapshot> expired(List<Snapshot> snapshots, Instant now) {
    List<Snapshot> newestFirst = new ArrayList<>(snapshots);
    newestFirst.sort(Comparator.comparing(Snapshot::startTime).reversed());
    Snapshot newestCompleted = newestFirst.stream()
        .filter(s -> s.state() == SnapshotState.COMPLETED).findFirst().orElse(null);
    List<Snapshot> expired = new ArrayList<>();
    for (int i = 0; i < newestFirst.size(); i++) {
      Snapshot snapshot = newestFirst.get(i);
      boolean tooMany = keep > 0 && i >= keep;
      boolean tooOld = maxAge != null && snapshot.startTime().isBefore(now.minus(maxAge));
      if ((tooMany || tooOld) && snapshot != newestCompleted && snapshot.state() != SnapshotState.PENDING) {
        expired.add(snapshot);
      }
    }
    return expired;
  }
}
