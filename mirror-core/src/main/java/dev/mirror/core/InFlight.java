package dev.mirror.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The number of copies held by the engine (decided and not yet ended), so that close can wait for
 * them to end.
 */
final class InFlight {

  private final AtomicInteger count = new AtomicInteger();
  private final Object drained = new Object();
  private volatile boolean waiting;

  void enter(int copies) {
    count.addAndGet(copies);
  }

  void leave() {
    if (count.decrementAndGet() == 0 && waiting) {
      synchronized (drained) {
        drained.notifyAll();
      }
    }
  }

  /** Waits until no copy is held or the deadline ({@link System#nanoTime()}) passes. */
  boolean awaitNone(long deadlineNanos) {
    waiting = true;
    synchronized (drained) {
      long left;
      while (count.get() > 0 && (left = deadlineNanos - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(drained, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return count.get() == 0;
  }
}
