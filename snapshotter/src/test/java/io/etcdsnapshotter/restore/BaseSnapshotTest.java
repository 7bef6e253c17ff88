package io.etcdsnapshotter.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.journal.Chain;
import io.etcdsnapshotter.volume.TestVolume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which snapshot and which chain a restore to a point takes, on a volume whose cluster was replaced (a restore with a
 * new token): etcd cluster a's generation at revision 12 and chain from 10 to 30; cluster b's current snapshot at
 * revision 20 and chain from 20 to 25. Their revisions overlap. Paired by revision alone, revision 28 would be b's
 * snapshot continued by a's journal: a keyspace neither cluster ever had.
 */
class BaseSnapshotTest {
  private static final long OLD = 0xaL;
  private static final long NEW = 0xbL;

  @TempDir Path dir;
  private TestVolume volume;

  @BeforeEach
  void volume() {
    volume = new TestVolume(dir);
  }

  @Test
  void aPointOnlyTheOldClustersChainReachesComesFromTheOldClustersSnapshot() throws IOException {
    Path generation = replacedVolume();
    BaseSnapshot.Choice choice = choose(28);
    assertThat(choice.snapshot()).isEqualTo(generation);
    assertThat(choice.snapshotRevision()).isEqualTo(12);
    assertThat(choice.target().chains()).extracting(Chain::baseRevision).containsExactly(10L);
  }

  @Test
  void aPointTheNewClustersChainReachesComesFromTheNewClustersSnapshotAndChain() throws IOException {
    replacedVolume();
    BaseSnapshot.Choice choice = choose(24);
    assertThat(choice.snapshot()).isEqualTo(volume.file());
    assertThat(choice.target().chains()).as("the old cluster's chain, though it reaches 24, is not the new one's")
        .extracting(Chain::baseRevision).containsExactly(20L);
  }

  @Test
  void withoutTheOldClustersGenerationAPointPastTheNewChainIsNotCovered() throws IOException {
    Path generation = replacedVolume();
    Files.delete(generation);
    assertThatThrownBy(() -> choose(28)).hasMessageContaining("revision 28 is not covered")
        .hasMessageContaining("can restore 20-25");
  }

  @Test
  void aTimeAfterTheRestoreIsInTheNewClustersHistoryThoughTheOldOneHadReachedHigherRevisions() throws Exception {
    Path generation = volume.generation("20261201T000000000Z", 12, OLD);
    volume.current(20, NEW);
    volume.chain(OLD, 10, 30);
    Instant beforeTheRestore = between();
    volume.chain(NEW, 20, 25);
    BaseSnapshot.Choice now = BaseSnapshot.choose(volume.file(), volume.journal(), 0, Instant.now(), DataKeys.NONE);
    assertThat(now.snapshot()).isEqualTo(volume.file());
    assertThat(now.target().toRevision()).as("what etcd served last, not the old cluster's higher revision")
        .isEqualTo(25);
    assertThat(now.target().chains()).extracting(Chain::baseRevision).containsExactly(20L);
    BaseSnapshot.Choice then =
        BaseSnapshot.choose(volume.file(), volume.journal(), 0, beforeTheRestore, DataKeys.NONE);
    assertThat(then.snapshot()).isEqualTo(generation);
    assertThat(then.target().toRevision()).isEqualTo(30);
  }

  /** A moment strictly after every time record written so far and before any written next. */
  private static Instant between() throws InterruptedException {
    Thread.sleep(5);
    Instant moment = Instant.now();
    Thread.sleep(5);
    return moment;
  }

  private BaseSnapshot.Choice choose(long revision) throws IOException {
    return BaseSnapshot.choose(volume.file(), volume.journal(), revision, null, DataKeys.NONE);
  }

  /** The volume described above; returns the old cluster's generation. */
  private Path replacedVolume() throws IOException {
    Path generation = volume.generation("20261201T000000000Z", 12, OLD);
    volume.current(20, NEW);
    volume.chain(OLD, 10, 30);
    volume.chain(NEW, 20, 25);
    return generation;
  }
}
