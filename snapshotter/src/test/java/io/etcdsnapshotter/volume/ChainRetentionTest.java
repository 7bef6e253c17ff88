package io.etcdsnapshotter.volume;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.journal.Chain;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chain retention on a volume whose cluster was replaced by a restore to an older point: the old cluster's chains are
 * based higher than the new cluster's, which the journal is still appending to.
 */
class ChainRetentionTest {
  private static final long OLD = 0xaL;
  private static final long NEW = 0xbL;

  @TempDir Path dir;

  @Test
  void theNewClustersNewestChainStaysAndTheOldClustersChainsGoWithTheirSnapshots() throws IOException {
    TestVolume volume = new TestVolume(dir);
    volume.current(20, NEW);
    volume.chain(OLD, 30, 40);
    volume.chain(OLD, 40, 45);
    volume.chain(NEW, 15, 22);
    ChainRetention.prune(volume.file(), DataKeys.NONE);
    assertThat(Chain.list(volume.journal(), DataKeys.NONE)).extracting(Chain::baseRevision)
        .as("the new cluster's chain, still appended to until it rolls at 20; none of the old cluster's is based on"
            + " a kept snapshot, nor ahead of this cluster's")
        .containsExactly(15L);
  }

  @Test
  void anOldClustersChainStaysWhileItsGenerationIsKept() throws IOException {
    TestVolume volume = new TestVolume(dir);
    volume.generation("20261201T000000000Z", 30, OLD);
    volume.current(20, NEW);
    volume.chain(OLD, 30, 40);
    volume.chain(NEW, 15, 22);
    volume.chain(NEW, 20, 25);
    ChainRetention.prune(volume.file(), DataKeys.NONE);
    assertThat(Chain.list(volume.journal(), DataKeys.NONE)).extracting(Chain::baseRevision)
        .as("the new cluster's chain from 15 goes: its snapshot is not kept and a newer chain follows it")
        .containsExactly(20L, 30L);
  }
}
