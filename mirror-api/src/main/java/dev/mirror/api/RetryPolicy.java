package dev.mirror.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How a target's copies are sent again after a failure that left the shadow untouched: a
 * connection refused or not opened in time, or a failed TLS handshake. Off by default ({@link
 * #off()}). A copy that may have reached the shadow (a read timeout or a reset after it was
 * written) is sent again only with {@code idempotentTimeouts} and an idempotent method (RFC 9110
 * section 9.2.2: GET, HEAD, OPTIONS, TRACE, PUT, DELETE); such a retry may deliver it twice.
 *
 * <p>The n-th retry waits {@code backoff * 2^(n-1)}, at most {@link #MAX_DELAY}, of which a random
 * half ("equal jitter"). A copy waiting for a retry keeps its room in the target's caps.
 *
 * @param attempts retries after the first send, in [0, {@value #MAX_ATTEMPTS}]; 0 for none
 * @param backoff the wait before the first retry, more than 0 and at most 10 s
 * @param maxPending the most copies of the target waiting for a retry at once, in [1, {@value
 *     #MAX_MAX_PENDING}]; a copy that would be one more ends failed, counted as a refused retry
 * @param idempotentTimeouts whether a copy of an idempotent method that timed out or lost its
 *     connection after it was written is sent again (it may then arrive twice)
 */
public record RetryPolicy(int attempts, Duration backoff, int maxPending,
    boolean idempotentTimeouts) {

  /** Largest accepted {@code attempts}: {@value}. */
  public static final int MAX_ATTEMPTS = 5;

  /** Default wait before the first retry, in milliseconds: {@value}. */
  public static final long DEFAULT_BACKOFF_MILLIS = 100;

  /** Longest accepted {@code backoff}: 10 s. */
  public static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  /** Longest wait before any retry, however many came before: 30 s. */
  public static final Duration MAX_DELAY = Duration.ofSeconds(30);

  /** Default cap on a target's copies waiting for a retry: {@value}. */
  public static final int DEFAULT_MAX_PENDING = 256;

  /** Largest accepted {@code maxPending}: {@value}. */
  public static final int MAX_MAX_PENDING = 100_000;

  private static final RetryPolicy OFF = new RetryPolicy(0,
      Duration.ofMillis(DEFAULT_BACKOFF_MILLIS), DEFAULT_MAX_PENDING, false);

  /**
   * Validates every component.
   *
   * @throws IllegalArgumentException naming the component, its value and what is allowed
   */
  public RetryPolicy {
    if (attempts < 0 || attempts > MAX_ATTEMPTS) {
      throw InvalidValue.of("retry.attempts", attempts, "in [0, " + MAX_ATTEMPTS + "]");
    }
    Objects.requireNonNull(backoff, "backoff");
    if (backoff.isNegative() || backoff.isZero() || backoff.compareTo(MAX_BACKOFF) > 0) {
      throw InvalidValue.of("retry.backoff", backoff.toMillis() + "ms",
          "a positive duration of at most 10s");
    }
    if (maxPending < 1 || maxPending > MAX_MAX_PENDING) {
      throw InvalidValue.of("retry.max-pending", maxPending, "in [1, " + MAX_MAX_PENDING + "]");
    }
  }

  /** No retries: every copy is sent at most once. */
  public static RetryPolicy off() {
    return OFF;
  }

  /**
   * Up to {@code attempts} retries, the first after {@code backoff}, with the default cap on
   * copies waiting ({@value #DEFAULT_MAX_PENDING}) and no retry of a copy that may have been
   * processed.
   *
   * @throws IllegalArgumentException naming the component, its value and what is allowed
   */
  public static RetryPolicy of(int attempts, Duration backoff) {
    return new RetryPolicy(attempts, backoff, DEFAULT_MAX_PENDING, false);
  }

  /** Returns true if copies are ever sent again. */
  public boolean enabled() {
    return attempts > 0;
  }

  /** Returns this policy with another cap on copies waiting for a retry. */
  public RetryPolicy withMaxPending(int maxPending) {
    return new RetryPolicy(attempts, backoff, maxPending, idempotentTimeouts);
  }

  /** Returns this policy with idempotent timeouts retried or not. */
  public RetryPolicy withIdempotentTimeouts(boolean retried) {
    return new RetryPolicy(attempts, backoff, maxPending, retried);
  }

  /**
   * Returns the wait before retry number {@code retry} (1 for the first), in nanoseconds, given a
   * random number in [0, 1): half the exponential delay, plus that random share of the other half.
   */
  public long delayNanos(int retry, double random) {
    long base = backoff.toNanos();
    long max = MAX_DELAY.toNanos();
    long delay = base;
    for (int i = 1; i < retry && delay < max; i++) {
      delay *= 2;
    }
    delay = Math.min(delay, max);
    return delay / 2 + (long) (delay / 2 * random);
  }
}
