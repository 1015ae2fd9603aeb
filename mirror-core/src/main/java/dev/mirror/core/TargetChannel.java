package dev.mirror.core;

import dev.mirror.api.DropReason;
import dev.mirror.api.FailureReason;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.Outcome;
import dev.mirror.api.Sampler;
import dev.mirror.api.SubmitResult;
import dev.mirror.core.internal.compare.Comparisons;
import dev.mirror.core.stats.LatencyHistogram;
import dev.mirror.core.stats.TargetStats;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * One target of one policy at run time: its room for copies (the in-flight cap), its circuit, its
 * rate limit and its counters. A configuration change makes new channels; one that keeps a target
 * (same policy and name) hands its counters and room on, and its circuit too if the address stays.
 */
final class TargetChannel implements Comparisons.Shadowed {

  private static final DropReason[] DROP_REASONS = DropReason.values();
  private static final FailureReason[] FAILURE_REASONS = FailureReason.values();

  final MirrorTarget target;
  final PolicyRuntime policy;
  /** What copies to this target go out through. */
  final MirrorTransport transport;
  /**
   * Where copies to this target are prepared when its transport is not the HTTP one and has an
   * executor of its own (one hand-off from the request thread to its socket); else null.
   */
  final java.util.concurrent.Executor executor;
  /** How much of each answer's body is kept, for comparison; 0 if none. */
  final int keepAnswerBytes;
  final CircuitBreaker circuit;
  /**
   * Where this target's copies go when they end for a reason its dead letter takes; null if none.
   * Set once by its policy, after every channel is made.
   */
  TargetChannel deadLetter;
  /** True if this target is another's dead letter: it gets no sampled traffic of its own. */
  boolean deadLetterOnly;
  private final Sampler rateLimit;
  /** What submit reports for this target when it takes a copy: made once, shared. */
  final SubmitResult.TargetResult accepted;
  /** The whole result when this target is the only one and takes the copy. */
  final SubmitResult acceptedAlone;
  private final LongSupplier nanoTime;
  /** The target's in-flight cap, or its transport's if that is lower. */
  private final int maxInFlight;
  private final Counters counters;
  private final AtomicInteger inFlight;
  private final AtomicLong bytesInFlight;
  final LongAdder sampledOut;
  private final LongAdder[] dropped;
  private final LongAdder sent;
  private final LongAdder[] failed;
  private final LongAdder[] statusClasses;
  private final LatencyRecorder latency;
  private final LatencyRecorder waited;

  /** What outlives a configuration change that keeps the target: counts, room, saturation. */
  private static final class Counters {
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicLong bytesInFlight = new AtomicLong();
    /** Until when copies are turned away because the transport said it was full; 0 if not. */
    volatile long saturatedUntilNanos;
    /** While saturated: copies that may still be taken, one per copy that ended since. */
    final AtomicInteger permits = new AtomicInteger();
    final LongAdder sampledOut = new LongAdder();
    final LongAdder[] dropped = adders(DROP_REASONS.length);
    final LongAdder sent = new LongAdder();
    final LongAdder[] failed = adders(FAILURE_REASONS.length);
    final LongAdder[] statusClasses = adders(6);
    final LatencyRecorder latency = new LatencyRecorder();
    final LatencyRecorder waited = new LatencyRecorder();
    final LongAdder scrubbed = new LongAdder();
    final LongAdder redactions = new LongAdder();
    final LongAdder scrubNanos = new LongAdder();
    final AtomicInteger retriesPending = new AtomicInteger();
    final LongAdder retries = new LongAdder();
    final LongAdder retriesExhausted = new LongAdder();
    final LongAdder retriesRefused = new LongAdder();
  }

  /**
   * Makes the channel of a target; {@code previous} is the same target's channel before a change
   * (same policy and name), or null.
   */
  TargetChannel(MirrorTarget target, PolicyRuntime policy, MirrorTransport transport,
      LongSupplier nanoTime, TargetChannel previous) {
    this.target = target;
    this.policy = policy;
    this.transport = transport;
    this.executor = target.isHttp() ? null : transport.executor();
    this.keepAnswerBytes = policy.policy.comparison().keepsAnswersOf(target.name())
        ? Math.max(1, policy.policy.comparison().maxBodyBytes()) : 0;
    this.nanoTime = nanoTime;
    this.maxInFlight = Math.max(1, Math.min(target.maxInFlight(), transport.maxInFlight(target)));
    this.counters = previous == null ? new Counters() : previous.counters;
    this.inFlight = counters.inFlight;
    this.bytesInFlight = counters.bytesInFlight;
    this.sampledOut = counters.sampledOut;
    this.dropped = counters.dropped;
    this.sent = counters.sent;
    this.failed = counters.failed;
    this.statusClasses = counters.statusClasses;
    this.latency = counters.latency;
    this.waited = counters.waited;
    boolean sameShadow = previous != null && previous.target.address().equals(target.address())
        && previous.target.failureThreshold() == target.failureThreshold()
        && previous.target.coolDown().equals(target.coolDown());
    this.circuit = sameShadow ? previous.circuit : new CircuitBreaker(
        target.failureThreshold(), target.coolDown().toNanos(), nanoTime);
    this.rateLimit = target.rateLimit() > 0 ? Sampler.rateLimit(target.rateLimit(), nanoTime)
        : null;
    this.accepted = new SubmitResult.TargetResult(target.name(), Outcome.ACCEPTED, null);
    this.acceptedAlone = new SubmitResult(Outcome.ACCEPTED, null, List.of(accepted));
  }

  /**
   * Takes room for one copy, or says why not: circuit, cap, then rate (so an open circuit spends
   * no rate budget). Null means reserved; the caller must {@link #release()} once.
   */
  DropReason tryReserve() {
    if (!circuit.allow()) {
      return DropReason.CIRCUIT_OPEN;
    }
    long saturated = counters.saturatedUntilNanos;
    if (saturated != 0 && nanoTime.getAsLong() - saturated < 0 && !takePermit()) {
      return DropReason.QUEUE_FULL;
    }
    if (!takeBelow(inFlight, maxInFlight)) {
      return DropReason.QUEUE_FULL;
    }
    if (rateLimit != null && !rateLimit.sample(null)) {
      inFlight.decrementAndGet();
      return DropReason.RATE_LIMITED;
    }
    return null;
  }

  void release() {
    inFlight.decrementAndGet();
  }

  /**
   * The transport had no room: for 10 ms, turn copies away at once (as a full cap does) but one
   * for each of this target's copies that ends meanwhile, the room that copy gave back. Lifting
   * the whole wait at the first end instead let every request thread through until the next
   * refusal came back from the loop: about four copies prepared and refused for each one sent
   * to a shadow slower than the copies offered (a 0.5 s one).
   */
  void saturated() {
    counters.permits.set(0);
    counters.saturatedUntilNanos = nanoTime.getAsLong() + 10_000_000L;
  }

  /** A copy ended at the shadow: while saturated, one more copy may be taken. */
  void unsaturated() {
    long until = counters.saturatedUntilNanos;
    if (until != 0) {
      if (nanoTime.getAsLong() - until < 0) {
        counters.permits.incrementAndGet();
      } else {
        counters.saturatedUntilNanos = 0;
      }
    }
  }

  private boolean takePermit() {
    AtomicInteger permits = counters.permits;
    int p;
    do {
      p = permits.get();
      if (p <= 0) {
        return false;
      }
    } while (!permits.compareAndSet(p, p - 1));
    return true;
  }

  /** Takes room for a copy holding this many bytes; false if it would go beyond the byte cap. */
  boolean tryReserveBytes(int bytes) {
    long max = target.maxInFlightBytes();
    long current;
    do {
      current = bytesInFlight.get();
      if (current + bytes > max) {
        return false;
      }
    } while (!bytesInFlight.compareAndSet(current, current + bytes));
    return true;
  }

  void releaseBytes(int bytes) {
    bytesInFlight.addAndGet(-bytes);
  }

  int inFlight() {
    return inFlight.get();
  }

  /**
   * Takes one of the target's places for a copy waiting to be retried; false, counted as refused,
   * if {@code retry.max-pending} copies already wait. The caller must {@link #retryDone()} once.
   */
  boolean tryReserveRetry() {
    if (!takeBelow(counters.retriesPending, target.retry().maxPending())) {
      counters.retriesRefused.increment();
      return false;
    }
    counters.retries.increment();
    return true;
  }

  /** Adds one to {@code count} unless it is at {@code max} already; false if it was. */
  private static boolean takeBelow(AtomicInteger count, int max) {
    int current;
    do {
      current = count.get();
      if (current >= max) {
        return false;
      }
    } while (!count.compareAndSet(current, current + 1));
    return true;
  }

  /** A copy that waited for its retry is sent again, or ends. */
  void retryDone() {
    counters.retriesPending.decrementAndGet();
  }

  /** A copy failed with all its retries used. */
  void countRetriesExhausted() {
    counters.retriesExhausted.increment();
  }

  void countDropped(DropReason reason) {
    dropped[reason.ordinal()].increment();
  }

  void countSent(int status, long latencyNanos) {
    sent.increment();
    int statusClass = status / 100;
    statusClasses[statusClass >= 1 && statusClass <= 5 ? statusClass : 0].increment();
    recordLatency(latencyNanos);
  }

  void countFailed(FailureReason reason, long latencyNanos) {
    failed[reason.ordinal()].increment();
    recordLatency(latencyNanos);
  }

  /** A copy went through the scrubber: what it redacted, and the time composing took. */
  void countScrubbed(int redacted, long nanos) {
    if (redacted > 0) {
      counters.scrubbed.increment();
      counters.redactions.add(redacted);
    }
    counters.scrubNanos.add(nanos);
  }

  /** A synchronous request waited this long for its copies. */
  void countWaited(long nanos) {
    waited.record(nanos);
  }

  private void recordLatency(long nanos) {
    latency.record(nanos);
  }

  TargetStats snapshot() {
    Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
    for (DropReason reason : DROP_REASONS) {
      drops.put(reason, dropped[reason.ordinal()].sum());
    }
    Map<FailureReason, Long> failures = new EnumMap<>(FailureReason.class);
    for (FailureReason reason : FAILURE_REASONS) {
      failures.put(reason, failed[reason.ordinal()].sum());
    }
    Map<Integer, Long> classes = new HashMap<>();
    for (int i = 0; i < statusClasses.length; i++) {
      classes.put(i, statusClasses[i].sum());
    }
    return new TargetStats(policy.policy.name(), target.name(), sampledOut.sum(), drops, sent.sum(),
        failures, classes, inFlight.get(), circuit.isOpen(), latency.snapshot(),
        waited.snapshot(), new TargetStats.Scrubbed(counters.scrubbed.sum(),
            counters.redactions.sum(), counters.scrubNanos.sum()),
        new TargetStats.Retries(counters.retries.sum(), counters.retriesExhausted.sum(),
            counters.retriesRefused.sum(), counters.retriesPending.get()));
  }

  private static LongAdder[] adders(int n) {
    LongAdder[] adders = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      adders[i] = new LongAdder();
    }
    return adders;
  }

  @Override
  public String targetName() {
    return target.name();
  }

  @Override
  public int keepAnswerBytes() {
    return keepAnswerBytes;
  }
}
