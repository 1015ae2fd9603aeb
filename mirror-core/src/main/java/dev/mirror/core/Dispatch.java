package dev.mirror.core;

import dev.mirror.api.DeadLetter;
import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.Headers;
import dev.mirror.api.MirrorMode;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Observation;
import dev.mirror.api.Outcome;
import dev.mirror.api.ShadowResponse;
import dev.mirror.api.SubmitResult;
import dev.mirror.core.internal.NamedDaemonThreads;
import dev.mirror.core.internal.compare.Comparisons;
import dev.mirror.core.internal.marker.LoopMarker;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Hands a decided request's copies over, one task per target, to the executor they are prepared
 * and sent on: the transport's own event loop when it has one (one hand-off from the request
 * thread to the socket), else a small fixed pool ({@code mirror-dispatch-N}). In synchronous mode
 * the caller then waits for its copies, bounded by their timeouts.
 */
final class Dispatch {

  private final Transports transports;
  private final Executor executor;
  /** The engine's own pool, when the transport has no executor; else null. */
  private final ThreadPoolExecutor pool;
  /** Where scrubbing policies' copies are prepared when the transport has a loop; made lazily. */
  private volatile ThreadPoolExecutor scrubPool;
  private final int threads;
  /** Exchanges the dispatcher must time out and cancel itself: those of transports that do not. */
  private final Set<CompletableFuture<ShadowResponse>> watched;
  private final Outcomes outcomes;
  final LongSupplier nanoTime;

  private final String idPrefix;
  private final AtomicLong nextId = new AtomicLong();

  private volatile boolean closed;
  /** Where copies wait for their retry: one daemon thread, made at the first retry. */
  private ScheduledThreadPoolExecutor retryTimer;
  /** Copies waiting for their retry; whoever removes one (its timer, or close) ends or sends it. */
  private final Set<CopyRun> retrying = ConcurrentHashMap.newKeySet();
  /** Set at close once the wait is over: copies not yet started give their room back. */
  volatile boolean abandoning;

  /** Adds the proof to each copy's id when the fleet shares a marker secret. */
  private final LoopMarker loopMarker;

  Dispatch(Transports transports, int threads, Outcomes outcomes, LongSupplier nanoTime,
      LoopMarker loopMarker) {
    this.loopMarker = loopMarker;
    this.transports = transports;
    this.threads = threads;
    this.outcomes = outcomes;
    this.nanoTime = nanoTime;
    // Copies to a transport with an executor of its own are prepared there (TargetChannel).
    Executor own = transports.http().executor();
    if (own != null) {
      this.pool = null;
      this.executor = own;
    } else {
      // Unbounded in type only: every queued task holds one unit of some target's cap (of the
      // configuration it was decided under), so the caps bound the queue. A transfer queue: the
      // request thread appends with one CAS and wakes a worker only if one is waiting, where a
      // blocking queue takes a lock and signals on every hand-over.
      this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
          new LinkedTransferQueue<>(), new NamedDaemonThreads("mirror-dispatch"),
          new ThreadPoolExecutor.AbortPolicy());
      this.executor = pool;
    }
    this.watched = ConcurrentHashMap.newKeySet();
    this.idPrefix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL | 0x1000000L)
        .substring(1) + "-";
  }

  Outcomes outcomes() {
    return outcomes;
  }

  /**
   * Where a copy is composed and handed to its transport: the transport's own loop when it has
   * one, except for a policy that scrubs bodies, whose CPU work stays off the loop (the engine's
   * pool; the copy then crosses one more thread).
   */
  private Executor executorFor(TargetChannel channel) {
    if (channel.policy.scrubber != null) {
      return pool != null ? pool : scrubbers();
    }
    return channel.executor != null ? channel.executor : executor;
  }

  private ThreadPoolExecutor scrubbers() {
    ThreadPoolExecutor s = scrubPool;
    if (s == null) {
      synchronized (this) {
        s = scrubPool;
        if (s == null) {
          if (closed) {
            throw new RejectedExecutionException("the mirror engine is closed");
          }
          // Unbounded in type only, as the dispatch pool: the caps bound the queue.
          s = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
              new LinkedTransferQueue<>(), new NamedDaemonThreads("mirror-scrub"),
              new ThreadPoolExecutor.AbortPolicy());
          scrubPool = s;
        }
      }
    }
    return s;
  }

  /**
   * Hands a copy that ends for {@code reason} to its target's dead letter, if that takes the
   * reason: a copy of its own to the dead-letter target, through that target's caps and counts
   * (dropped there, counted, when full), carrying the reason and how many times the copy was
   * sent. Never blocks; called before the copy itself ends, so that close waits for both.
   */
  void deadLetter(TargetChannel from, MirroredRequest request, String id, String reason,
      int attempts) {
    TargetChannel to = from.deadLetter;
    if (to == null || !from.target.deadLetter().takes(reason)) {
      return;
    }
    try {
      if (abandoning) {
        outcomes.dropped(to, DropReason.CLOSED);
        return;
      }
      DropReason drop = to.tryReserve();
      if (drop != null) {
        outcomes.dropped(to, drop);
        return;
      }
      MirroredRequest letter = new MirroredRequest(request.id(), request.method(),
          request.scheme(), request.host(), request.rawPath(), request.rawQuery(),
          request.headers().toBuilder().set(DeadLetter.REASON_HEADER, reason)
              .set(DeadLetter.ATTEMPTS_HEADER, String.valueOf(attempts)).build(),
          request.body(), request.remoteAddress(), null);
      int bytes = footprint(letter);
      if (!to.tryReserveBytes(bytes)) {
        to.release();
        outcomes.dropped(to, DropReason.QUEUE_FULL);
        return;
      }
      outcomes.entered();
      CopyRun run = new CopyRun(this, to, letter, id, bytes, false, null);
      try {
        executorFor(to).execute(run);
      } catch (RejectedExecutionException e) {
        to.releaseBytes(bytes);
        outcomes.giveBack(to, closed || abandoning ? DropReason.CLOSED : DropReason.QUEUE_FULL);
      }
    } catch (RuntimeException | Error e) {
      outcomes.internalError("handing a copy to its dead letter", e);
    }
  }

  /** True once the engine began to close: retries still waiting are not sent. */
  boolean closing() {
    return closed;
  }

  /**
   * Sends {@code run} again after {@code delayNanos}, off every request thread; false if the
   * engine is closing (the caller ends it as {@link DropReason#CLOSED}). Once true, the copy ends
   * through {@link CopyRun#retryDue()} or, if the engine closes first, {@link
   * CopyRun#retryCancelled()}: exactly one of them.
   */
  boolean scheduleRetry(CopyRun run, long delayNanos) {
    ScheduledThreadPoolExecutor timer = retryTimer();
    if (timer == null) {
      return false;
    }
    retrying.add(run);
    if (closed) {
      return !retrying.remove(run); // else close() took it and ends it
    }
    try {
      timer.schedule(() -> {
        if (retrying.remove(run)) {
          run.retryDue();
        }
      }, delayNanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (RejectedExecutionException e) {
      return !retrying.remove(run);
    }
  }

  private ScheduledThreadPoolExecutor retryTimer() {
    synchronized (retrying) {
      if (closed) {
        return null;
      }
      if (retryTimer == null) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
            new NamedDaemonThreads("mirror-retry"));
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        retryTimer = timer;
      }
      return retryTimer;
    }
  }

  /** A copy whose retry is due goes back to where copies to its target are sent from. */
  void resend(CopyRun run, TargetChannel channel) {
    try {
      executorFor(channel).execute(run);
    } catch (RejectedExecutionException e) {
      run.endDropped(closed || abandoning ? DropReason.CLOSED : DropReason.QUEUE_FULL);
    } catch (RuntimeException | Error e) {
      outcomes.internalError("retrying", e);
      run.endDropped(DropReason.ERROR);
    }
  }

  /** Ends every copy still waiting for its retry as {@link DropReason#CLOSED}, stops the timer. */
  private void cancelRetries() {
    ScheduledThreadPoolExecutor timer;
    synchronized (retrying) {
      timer = retryTimer;
    }
    for (CopyRun run : retrying) {
      if (retrying.remove(run)) {
        run.retryCancelled();
      }
    }
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  Set<CompletableFuture<ShadowResponse>> watched() {
    return watched;
  }

  SubmitResult submit(Decision decision, MirroredRequest request) {
    if (!(decision instanceof Reservation)) {
      if (decision != null && !decision.mirrored() && decision.result() != null) {
        return decision.result();
      }
      outcomes.internalError("submit", new IllegalArgumentException(
          "decision: was " + decision + ", must come from this engine's decide()"));
      return NotMirrored.ERROR.result();
    }
    Reservation reservation = (Reservation) decision;
    if (!reservation.settle()) {
      outcomes.internalError("submit", new IllegalStateException("decision: was already submitted"
          + " or abandoned, must be used once"));
      return NotMirrored.ERROR.result();
    }
    try {
      if (request == null) {
        outcomes.giveBack(reservation, DropReason.ERROR);
        outcomes.internalError("submit", new NullPointerException("request"));
        return NotMirrored.ERROR.result();
      }
      if (request.bodyLength() > reservation.policy.policy.maxBodyBytes()) {
        outcomes.giveBack(reservation, DropReason.BODY_TOO_LARGE);
        return SubmitResult.dropped(DropReason.BODY_TOO_LARGE);
      }
      if (closed) {
        outcomes.giveBack(reservation, DropReason.CLOSED);
        return SubmitResult.dropped(DropReason.CLOSED);
      }
      if (!request.trailers().isEmpty()) {
        reservation.policy.trailersLeftOut.increment(); // no transport sends trailers
      }
      return handOver(reservation, request);
    } catch (RuntimeException | Error e) {
      outcomes.internalError("submitting", e);
      return NotMirrored.ERROR.result();
    }
  }

  private SubmitResult handOver(Reservation reservation, MirroredRequest request) {
    // The id is the marker every copy carries: with a secret, it proves it came from a mirror.
    String id = loopMarker.mark(request.id() != null ? request.id()
        : idPrefix + Long.toHexString(nextId.incrementAndGet()));
    boolean synchronous = reservation.policy.policy.mode() == MirrorMode.SYNCHRONOUS;
    TargetChannel[] channels = reservation.channels;
    CompletableFuture<?>[] done = synchronous ? new CompletableFuture<?>[channels.length] : null;
    SubmitResult.TargetResult[] results = new SubmitResult.TargetResult[channels.length];
    int accepted = 0;
    DropReason firstDrop = null;
    int bytes = footprint(request);
    // What the capture already took counts toward the footprint (reserved as the body arrived).
    int captured = reservation.takeCaptured();
    Comparisons comparisons = reservation.policy.comparisons;
    if (comparisons != null && comparisons.open(id, request, channels)) {
      reservation.compareId = id;
    } else {
      comparisons = null;
    }
    for (int i = 0; i < channels.length; i++) {
      TargetChannel channel = channels[i];
      if (!channel.tryReserveBytes(bytes - captured)) {
        channel.releaseBytes(captured);
        if (comparisons != null) {
          comparisons.shadow(id, channel.target.name(),
              Observation.failure(channel.target.name(), "dropped: QUEUE_FULL", -1));
        }
        deadLetter(channel, request, id, DropReason.QUEUE_FULL.name(), 0);
        outcomes.giveBack(channel, DropReason.QUEUE_FULL); // the byte cap, not the count
        firstDrop = firstDrop == null ? DropReason.QUEUE_FULL : firstDrop;
        results[i] = new SubmitResult.TargetResult(channel.target.name(), Outcome.DROPPED,
            DropReason.QUEUE_FULL);
        if (done != null) {
          done[i] = CompletableFuture.completedFuture(null);
        }
        continue;
      }
      CopyRun run = new CopyRun(this, channel, request, id, bytes, synchronous,
          comparisons != null && channel.keepAnswerBytes > 0 ? comparisons : null);
      try {
        executorFor(channel).execute(run);
        accepted++;
        results[i] = channel.accepted;
        if (done != null) {
          done[i] = run.done;
        }
      } catch (RejectedExecutionException e) {
        channel.releaseBytes(bytes);
        DropReason reason = closed || abandoning ? DropReason.CLOSED : DropReason.QUEUE_FULL;
        if (comparisons != null) {
          comparisons.shadow(id, channel.target.name(),
              Observation.failure(channel.target.name(), "dropped: " + reason, -1));
        }
        deadLetter(channel, request, id, reason.name(), 0);
        outcomes.giveBack(channel, reason);
        firstDrop = firstDrop == null ? reason : firstDrop;
        results[i] = new SubmitResult.TargetResult(channel.target.name(), Outcome.DROPPED, reason);
        if (done != null) {
          done[i] = CompletableFuture.completedFuture(null);
        }
      }
    }
    if (done != null && accepted > 0) {
      long start = nanoTime.getAsLong();
      awaitCopies(done, reservation.policy.syncWaitNanos);
      long waited = nanoTime.getAsLong() - start;
      for (int i = 0; i < channels.length; i++) {
        if (results[i] == channels[i].accepted) {
          channels[i].countWaited(waited);
        }
      }
    }
    if (accepted == 1 && channels.length == 1 && reservation.skipped.isEmpty()) {
      return channels[0].acceptedAlone; // the common case: nothing to allocate
    }
    List<SubmitResult.TargetResult> all = new ArrayList<>(reservation.skipped);
    all.addAll(List.of(results));
    return accepted > 0
        ? new SubmitResult(Outcome.ACCEPTED, null, all)
        : new SubmitResult(Outcome.DROPPED, firstDrop, all);
  }

  /**
   * The memory a copy holds until it ends, as counted against the target's byte cap: its body,
   * and its request line and headers about three times (as received, as composed, as encoded),
   * plus a little for the objects around them.
   */
  static int footprint(MirroredRequest request) {
    long chars = request.rawPath().length()
        + (request.rawQuery() == null ? 0 : request.rawQuery().length());
    Headers headers = request.headers();
    for (int i = 0; i < headers.size(); i++) {
      chars += headers.name(i).length() + headers.value(i).length() + 4;
    }
    return (int) Math.min(Integer.MAX_VALUE, request.bodyLength() + 3 * chars + 256);
  }

  private static void awaitCopies(CompletableFuture<?>[] done, long waitNanos) {
    try {
      // A little beyond the timeouts, so the copies' own timeouts decide first.
      CompletableFuture.allOf(done).get(waitNanos + TimeUnit.MILLISECONDS.toNanos(250),
          TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | CancellationException e) {
      // Counted where the copy ended; the caller goes on either way.
    }
  }

  /**
   * Stops taking copies, ends those waiting for a retry as {@link DropReason#CLOSED}, waits until
   * {@code deadlineNanos} for those in flight, then lets the rest go: copies not started give their room back as {@link DropReason#CLOSED}, exchanges still open
   * are cancelled (or failed by the transport as it closes). Threads end; the transport is closed
   * if the engine made it.
   */
  void close(InFlight inFlight, long deadlineNanos) {
    synchronized (retrying) {
      closed = true;
    }
    cancelRetries(); // copies waiting for a retry are not sent: they end now, as CLOSED
    inFlight.awaitNone(deadlineNanos);
    abandoning = true;
    for (CompletableFuture<ShadowResponse> exchange : watched) {
      exchange.cancel(true);
    }
    if (pool != null) {
      pool.shutdown(); // queued copies still run, and give their room back at once
    }
    ThreadPoolExecutor scrubbing;
    synchronized (this) {
      scrubbing = scrubPool;
    }
    if (scrubbing != null) {
      scrubbing.shutdown();
    }
    // Closing a transport fails its open exchanges, and runs what its executor still holds.
    transports.close();
    if (!transports.ownsHttp()) {
      inFlight.awaitNone(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
    }
    for (ThreadPoolExecutor p : new ThreadPoolExecutor[] {pool, scrubbing}) {
      if (p != null) {
        try {
          p.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
