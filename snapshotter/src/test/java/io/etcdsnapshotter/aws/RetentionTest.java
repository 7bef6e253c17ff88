package io.etcdsnapshotter.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.SnapshotState;

class RetentionTest {
  private static final Instant NOW = Instant.parse("2026-06-30T12:00:00Z");

  @Test
  void keepsTheNewestByCountWhateverOrderTheApiGaveThem() {
    List<Snapshot> snapshots = List.of(snap("snap-2", 2, SnapshotState.COMPLETED), snap("snap-5", 5,
        SnapshotState.COMPLETED), snap("snap-1", 1, SnapshotState.COMPLETED), snap("snap-4", 4,
        SnapshotState.COMPLETED), snap("snap-3", 3, SnapshotState.COMPLETED));

    assertThat(ids(new Retention(2, null).expired(snapshots, NOW))).containsExactly("snap-3", "snap-4", "snap-5");
  }

  @Test
  void expiresByAge() {
    List<Snapshot> snapshots = List.of(snap("snap-1", 1, SnapshotState.COMPLETED),
        snap("snap-10", 10, SnapshotState.COMPLETED), snap("snap-40", 40, SnapshotState.COMPLETED));

    assertThat(ids(new Retention(0, Duration.ofDays(7)).expired(snapshots, NOW))).containsExactly("snap-10", "snap-40");
  }

  @Test
  void neverExpiresTheNewestCompletedOneNorAPendingOne() {
    List<Snapshot> snapshots = List.of(snap("pending", 30, SnapshotState.PENDING),
        snap("failed", 31, SnapshotState.ERROR), snap("good", 32, SnapshotState.COMPLETED),
        snap("older", 33, SnapshotState.COMPLETED));

    assertThat(ids(new Retention(1, Duration.ofDays(7)).expired(snapshots, NOW))).containsExactly("failed", "older");
  }

  @Test
  void keepsAllWithoutLimits() {
    List<Snapshot> snapshots = List.of(snap("a", 100, SnapshotState.COMPLETED), snap("b", 200, SnapshotState.ERROR));

    assertThat(new Retention(0, null).expired(snapshots, NOW)).isEmpty();
  }

  private static Snapshot snap(String id, int daysAgo, SnapshotState state) {
    return Snapshot.builder().snapshotId(id).startTime(NOW.minus(Duration.ofDays(daysAgo))).state(state).build();
  }

  private static List<String> ids(List<Snapshot> snapshots) {
    return snapshots.stream().map(Snapshot::snapshotId).toList();
  }
}
