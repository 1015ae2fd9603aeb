package dev.mirror.core.internal.http1;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the HTTP/1.1 sender did that the engine's outcomes do not show: copies sent a second time
 * after their connection ended before any byte of their answer. Written by the event loops, read
 * by anyone.
 */
public final class Http1Counts {

  private final AtomicLong resent = new AtomicLong();

  void resent() {
    resent.incrementAndGet();
  }

  /** Copies sent a second time (each at most once). */
  public long resends() {
    return resent.get();
  }
}
