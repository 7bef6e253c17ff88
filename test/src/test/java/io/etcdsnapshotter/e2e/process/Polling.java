package io.etcdsnapshotter.e2e.process;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting for what a controller or another process does in its own time: poll, and say what never happened. */
public final class Polling {
  private static final Duration INTERVAL = Duration.ofMillis(250);

  private Polling() {}

  /** Returns once {@code condition} holds; fails the test after {@code timeout}, naming {@code what} and the state. */
  public static void await(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within " + timeout + ": " + what + "\n" + state.get());
      }
      try {
        Thread.sleep(INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting: " + what, e);
      }
    }
  }
}
