package io.etcdsnapshotter;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * An I/O task on a daemon thread of its own, whose result, or {@link IOException}, the caller gets when it waits: the
 * snapshot's SHA-256, a copy by the kernel or an fsync run on the second core while the caller reads the file.
 */
public final class Background<T> {
  /** The work: returns a result or throws what went wrong. */
  public interface Task<T> {
    T call() throws IOException;
  }

  private final FutureTask<T> future;
  private final String name;

  private Background(String name, Task<T> task) {
    this.name = name;
    this.future = new FutureTask<>(task::call);
  }

  /** Starts {@code task} on a new daemon thread named {@code name}, which also names it in errors. */
  public static <T> Background<T> start(String name, Task<T> task) {
    Background<T> background = new Background<>(name, task);
    Thread thread = new Thread(background.future, name);
    thread.setDaemon(true);
    thread.start();
    return background;
  }

  /** Waits for the task; throws its IOException as it was thrown. */
  public T await() throws IOException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(name + " failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for " + name);
    }
  }

  /**
   * One daemon thread named {@code name} running timed tasks; a shutdown drops what is scheduled, so a stop never
   * waits for a delayed or periodic task to come due.
   */
  public static ScheduledExecutorService timer(String name) {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread thread = new Thread(r, name);
      thread.setDaemon(true);
      return thread;
    });
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    timer.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    return timer;
  }

  /** Interrupts the task if it is still running; an interrupted file channel closes, which ends any I/O on it. */
  public void cancel() {
    future.cancel(true);
  }
}
