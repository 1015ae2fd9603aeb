package dev.mirror.core.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets at most one line per key through per interval, and says how many were held back, so that a
 * dead shadow answering thousands of times a second cannot flood the log. The keys (target plus
 * reason or status class) live in a bounded Caffeine cache that forgets quiet ones.
 */
public final class RateLimitedLog {

  private static final int MAX_KEYS = 1_000;

  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final Cache<String, Window> windows;

  public RateLimitedLog(Duration interval, LongSupplier nanoTime) {
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
    this.windows = Caffeine.newBuilder()
        .maximumSize(MAX_KEYS)
        .expireAfterAccess(interval.multipliedBy(10))
        .build();
  }

  /**
   * Returns null if a line for this key was let through less than an interval ago (and counts
   * this one as held back); else the number held back since the last line, and opens a new
   * interval.
   */
  public Long pass(String key) {
    long now = nanoTime.getAsLong();
    Window fresh = new Window(now);
    Window current = windows.asMap().putIfAbsent(key, fresh);
    if (current == null) {
      return 0L;
    }
    long start = current.start.get();
    if (now - start >= intervalNanos && current.start.compareAndSet(start, now)) {
      return current.heldBack.getAndSet(0);
    }
    current.heldBack.incrementAndGet();
    return null;
  }

  private static final class Window {
    final AtomicLong start;
    final AtomicLong heldBack = new AtomicLong();

    Window(long start) {
      this.start = new AtomicLong(start);
    }
  }
}
