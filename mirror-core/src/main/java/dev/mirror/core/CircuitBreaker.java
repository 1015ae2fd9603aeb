package dev.mirror.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Stops sending to a target after consecutive failures, then lets one probe through per
 * cool-down until a copy is answered again. Lock-free; allocates nothing.
 */
final class CircuitBreaker {

  private static final long CLOSED = Long.MIN_VALUE;

  private final int failureThreshold;
  private final long coolDownNanos;
  private final LongSupplier nanoTime;
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  /** When the next probe may go, or {@link #CLOSED}. */
  private final AtomicLong openUntil = new AtomicLong(CLOSED);

  CircuitBreaker(int failureThreshold, long coolDownNanos, LongSupplier nanoTime) {
    this.failureThreshold = failureThreshold;
    this.coolDownNanos = coolDownNanos;
    this.nanoTime = nanoTime;
  }

  /** Returns true if a copy may be sent now; while open, true once per cool-down (the probe). */
  boolean allow() {
    long until = openUntil.get();
    if (until == CLOSED) {
      return true;
    }
    long now = nanoTime.getAsLong();
    return now - until >= 0 && openUntil.compareAndSet(until, now + coolDownNanos);
  }

  void onSuccess() {
    // Written only when it changes: every request thread reads openUntil in allow(), and a
    // store per answered copy would take that cache line away from all of them.
    if (consecutiveFailures.get() != 0) {
      consecutiveFailures.set(0);
    }
    if (openUntil.get() != CLOSED) {
      openUntil.set(CLOSED);
    }
  }

  void onFailure() {
    if (consecutiveFailures.incrementAndGet() >= failureThreshold) {
      openUntil.set(nanoTime.getAsLong() + coolDownNanos);
    }
  }

  boolean isOpen() {
    return openUntil.get() != CLOSED;
  }
}
