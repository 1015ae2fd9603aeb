package dev.mirror.core.internal.compare;

import dev.mirror.core.internal.NamedDaemonThreads;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one thread ({@code mirror-compare}) an engine's comparisons run on, started when a policy
 * first compares: the pairing cache's maintenance and expiries, and every comparison, never on a
 * request thread. At most {@link #MAX_QUEUED} completed pairs wait to be compared; more are turned
 * away and counted.
 */
public final class CompareWorker implements Executor {

  /** Most comparisons waiting for the thread: {@value}. */
  static final int MAX_QUEUED = 10_000;

  private final AtomicInteger queued = new AtomicInteger();
  private final LongAdder turnedAway = new LongAdder();
  private ScheduledThreadPoolExecutor thread;
  private boolean closed;

  /** The thread, as a scheduler for expiries; started on first use. */
  synchronized ScheduledExecutorService scheduler() {
    if (thread == null) {
      thread = new ScheduledThreadPoolExecutor(1, new NamedDaemonThreads("mirror-compare"));
      thread.setRemoveOnCancelPolicy(true);
      if (closed) {
        thread.shutdown();
      }
    }
    return thread;
  }

  /**
   * Runs a comparison on the thread, or counts it turned away if too many wait. (Expired pairs
   * are compared by the cache's own tasks, which {@link #execute} always takes: the cache bounds
   * them, and a cache whose maintenance is dropped would stop evicting.)
   */
  void compare(Runnable comparison) {
    if (queued.incrementAndGet() > MAX_QUEUED) {
      queued.decrementAndGet();
      turnedAway.increment();
      return;
    }
    try {
      scheduler().execute(() -> {
        queued.decrementAndGet();
        comparison.run();
      });
    } catch (java.util.concurrent.RejectedExecutionException closedAlready) {
      queued.decrementAndGet();
      turnedAway.increment();
    }
  }

  /** Runs the pairing cache's maintenance and removal tasks on the thread; never drops one. */
  @Override
  public void execute(Runnable task) {
    try {
      scheduler().execute(task);
    } catch (java.util.concurrent.RejectedExecutionException closedAlready) {
      // the engine is closing: nothing is compared any more
    }
  }

  /** Comparisons turned away: too many waiting, or the engine closed. */
  public long turnedAway() {
    return turnedAway.sum();
  }

  /** Stops the thread: what waits is dropped. */
  public synchronized void close() {
    closed = true;
    if (thread != null) {
      thread.shutdownNow();
      try {
        thread.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
