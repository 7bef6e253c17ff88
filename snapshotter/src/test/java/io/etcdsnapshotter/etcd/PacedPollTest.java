package io.etcdsnapshotter.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.netty.channel.SelectStrategy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacedPollTest {
  @Test
  void idlePollsAreAtLeastThePaceApartSoWhatArrivesMeanwhileIsReadAtOnce() throws Exception {
    Duration pace = Duration.ofMillis(200);
    PacedPoll polls = new PacedPoll(pace);

    long start = System.nanoTime();
    int first = polls.calculateStrategy(() -> 0, false);
    int second = polls.calculateStrategy(() -> 0, false);
    long end = System.nanoTime();

    assertThat(List.of(first, second)).containsOnly(SelectStrategy.SELECT);
    assertThat(Duration.ofNanos(end - start)).isGreaterThanOrEqualTo(pace);
  }

  @Test
  void aLoopWithTasksQueuedPollsWithoutWaitingSoABacklogIsReadAtFullSpeed() throws Exception {
    PacedPoll polls = new PacedPoll(Duration.ofMinutes(1));
    polls.calculateStrategy(() -> 0, false);
    long start = System.nanoTime();

    int ready = polls.calculateStrategy(() -> 3, true);

    assertThat(ready).as("what a poll that does not block found ready").isEqualTo(3);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void aReaderBehindItsStreamTurnsThePaceOffToReadTheBacklogAtOnce() throws Exception {
    PacedPoll polls = new PacedPoll(Duration.ofMinutes(1));
    polls.calculateStrategy(() -> 0, false);
    long start = System.nanoTime();

    polls.paced(false);
    int strategy = polls.calculateStrategy(() -> 0, false);

    assertThat(strategy).as("a poll that blocks until something is ready").isEqualTo(SelectStrategy.SELECT);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }
}
