package dev.mirror.core;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.FailureReason;
import dev.mirror.api.MirrorDispatcher;
import dev.mirror.api.MirrorEvent;
import dev.mirror.api.MirrorListener;
import dev.mirror.api.MirrorMode;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Outcome;
import dev.mirror.api.RequestView;
import dev.mirror.api.Sampler;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.api.SubmitResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mirroring engine: the {@link MirrorDispatcher} every entry point uses.
 *
 * <p>On the request thread it only decides and hands over: route to the first policy that takes
 * the request, check the loop marker, filter, sample, and take room at each target (circuit,
 * in-flight cap, rate limit). A "no" allocates nothing. Copies are composed and sent on a small
 * fixed pool ({@code mirror-dispatch-N}) through the transport; each target holds at most its
 * {@code maxInFlight} copies, so memory held by copies stays under the sum of caps times the body
 * limit. Whatever goes wrong is counted in {@link #stats()} and never reaches the caller.
 *
 * <pre>{@code
 * MirrorEngine engine = MirrorEngine.builder()
 *     .policy(MirrorPolicy.to("http://staging.internal:8080").sampler(Sampler.ratio(0.1)).build())
 *     .build();
 * engine.submit(MirroredRequest.builder().method("GET").rawTarget("/search?q=a").build());
 * }</pre>
 */
public final class MirrorEngine implements MirrorDispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(MirrorEngine.class);

  /** Default number of dispatch threads: {@value}. */
  public static final int DEFAULT_DISPATCH_THREADS = 2;

  /** Default time {@link #close()} waits for copies in flight, in milliseconds: {@value}. */
  public static final long DEFAULT_CLOSE_TIMEOUT_MILLIS = 5_000;

  private final PolicyRuntime[] policies;
  private final MirrorTransport transport;
  private final boolean ownsTransport;
  private final MirrorListener[] listeners;
  private final ThreadPoolExecutor dispatch;
  private final Duration closeTimeout;
  private final LongSupplier nanoTime;
  private final RateLimitedLog failureLog;
  private final RateLimitedLog responseLog;

  private final String idPrefix;
  private final AtomicLong nextId = new AtomicLong();
  private final AtomicInteger totalInFlight = new AtomicInteger();
  private final Set<CompletableFuture<ShadowResponse>> sending = ConcurrentHashMap.newKeySet();
  private final Object drained = new Object();
  private final Reservation.Guards lostReservations = new Reservation.Guards();

  private final LongAdder requests = new LongAdder();
  private final LongAdder unrouted = new LongAdder();
  private final LongAdder disabledCount = new LongAdder();
  private final LongAdder errors = new LongAdder();

  private volatile boolean enabled;
  private volatile boolean closed;

  private MirrorEngine(Builder builder) {
    this.nanoTime = System::nanoTime;
    this.policies = new PolicyRuntime[builder.policies.size()];
    int totalCap = 0;
    for (int i = 0; i < policies.length; i++) {
      policies[i] = new PolicyRuntime(builder.policies.get(i), nanoTime);
      for (TargetChannel channel : policies[i].channels) {
        totalCap += channel.target.maxInFlight();
      }
    }
    this.ownsTransport = builder.transport == null || builder.ownsTransport;
    this.transport = builder.transport == null ? HttpTransport.create() : builder.transport;
    this.listeners = builder.listeners.toArray(new MirrorListener[0]);
    this.closeTimeout = builder.closeTimeout;
    this.enabled = builder.enabled;
    // The queue can never overflow: every queued task holds one unit of some target's cap.
    this.dispatch = new ThreadPoolExecutor(builder.dispatchThreads, builder.dispatchThreads,
        0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(Math.max(1, totalCap)),
        new NamedDaemonThreads("mirror-dispatch"), new ThreadPoolExecutor.AbortPolicy());
    this.failureLog = new RateLimitedLog(Duration.ofSeconds(10), nanoTime);
    this.responseLog = new RateLimitedLog(Duration.ofSeconds(1), nanoTime);
    this.idPrefix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL | 0x1000000L)
        .substring(1) + "-";
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the policies, in the order they are tried. */
  public List<MirrorPolicy> policies() {
    List<MirrorPolicy> out = new ArrayList<>(policies.length);
    for (PolicyRuntime p : policies) {
      out.add(p.policy);
    }
    return List.copyOf(out);
  }

  /** Switches mirroring on or off at run time; copies in flight are not affected. */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** Returns true if mirroring is switched on. */
  public boolean isEnabled() {
    return enabled;
  }

  @Override
  public Decision decide(RequestView request) {
    return decideUnder(request, null);
  }

  @Override
  public Decision decide(RequestView request, String policyName) {
    return decideUnder(request, policyName);
  }

  /** Decides under the named policy, or, for a null name, the first policy that takes it. */
  private Decision decideUnder(RequestView request, String policyName) {
    if (!enabled || closed) {
      disabledCount.increment();
      return NotMirrored.DISABLED;
    }
    try {
      requests.increment();
      PolicyRuntime policy = policyName == null ? route(request) : named(policyName);
      if (policy != null) {
        return decide(policy, request);
      }
      if (policyName == null && policies.length == 1) {
        // With one policy, "not taken" reads better as "filtered out" of that policy.
        policies[0].submitted.increment();
        policies[0].filteredOut.increment();
      } else {
        unrouted.increment();
      }
      return NotMirrored.FILTERED_OUT;
    } catch (RuntimeException | Error e) {
      internalError("deciding", e);
      return NotMirrored.ERROR;
    }
  }

  private PolicyRuntime named(String policyName) {
    for (PolicyRuntime policy : policies) {
      if (policy.policy.name().equals(policyName)) {
        return policy;
      }
    }
    internalError("no policy named " + policyName, new IllegalArgumentException(
        "policy: was " + policyName + ", must be one of " + policies()
            .stream().map(MirrorPolicy::name).toList()));
    return null;
  }

  private PolicyRuntime route(RequestView request) {
    for (PolicyRuntime policy : policies) {
      if (policy.policy.filter().takes(request)) {
        return policy;
      }
    }
    return null;
  }

  private Decision decide(PolicyRuntime runtime, RequestView request) {
    MirrorPolicy policy = runtime.policy;
    runtime.submitted.increment();
    if (!policy.enabled() || !policy.filter().accepts(request)) {
      runtime.filteredOut.increment();
      return NotMirrored.FILTERED_OUT;
    }
    if (request.header(policy.markerHeader()) != null) {
      for (TargetChannel channel : runtime.channels) {
        dropped(channel, DropReason.LOOP);
      }
      return NotMirrored.LOOP;
    }
    if (!sample(policy.sampler(), request)) {
      runtime.sampledOut.increment();
      return NotMirrored.SAMPLED_OUT;
    }
    TargetChannel[] channels = runtime.channels;
    TargetChannel[] reserved = null;
    int count = 0;
    List<SubmitResult.TargetResult> skipped = null;
    DropReason firstDrop = null;
    for (int i = 0; i < channels.length; i++) {
      TargetChannel channel = channels[i];
      DropReason drop;
      if (!sample(channel.target.sampler(), request)) {
        channel.sampledOut.increment();
        drop = null;
      } else if ((drop = channel.tryReserve()) == null) {
        if (reserved == null) {
          reserved = new TargetChannel[channels.length - i];
        }
        reserved[count++] = channel;
        continue;
      } else {
        dropped(channel, drop);
        firstDrop = firstDrop == null ? drop : firstDrop;
      }
      if (reserved != null || channels.length > 1) {
        if (skipped == null) {
          skipped = new ArrayList<>(channels.length);
        }
        skipped.add(drop == null
            ? new SubmitResult.TargetResult(channel.target.name(), Outcome.SAMPLED_OUT, null)
            : new SubmitResult.TargetResult(channel.target.name(), Outcome.DROPPED, drop));
      }
    }
    if (count == 0) {
      return firstDrop == null ? NotMirrored.SAMPLED_OUT : NotMirrored.dropped(firstDrop);
    }
    totalInFlight.addAndGet(count);
    TargetChannel[] exact = count == reserved.length ? reserved : java.util.Arrays.copyOf(reserved, count);
    Reservation reservation = new Reservation(runtime, exact,
        skipped == null ? List.of() : skipped, lostReservations);
    reclaimLostReservations();
    return reservation;
  }

  /**
   * A safety net for entry points that lose a decision (an exception path no filter sees): the
   * room of a decision that became garbage unsettled comes back, counted as {@link
   * DropReason#ERROR}. Checked on the mirrored path and in {@link #stats()}, without a thread.
   */
  private void reclaimLostReservations() {
    Reservation.Guard lost;
    while ((lost = lostReservations.poll()) != null) {
      if (lost.settle()) {
        for (TargetChannel channel : lost.channels) {
          giveBack(channel, DropReason.ERROR);
        }
      }
    }
  }

  private boolean sample(Sampler sampler, RequestView request) {
    try {
      return sampler.sample(request);
    } catch (RuntimeException e) {
      internalError("a sampler threw", e);
      return false;
    }
  }

  @Override
  public SubmitResult submit(Decision decision, MirroredRequest request) {
    if (!(decision instanceof Reservation)) {
      if (decision != null && !decision.mirrored() && decision.result() != null) {
        return decision.result();
      }
      internalError("submit", new IllegalArgumentException(
          "decision: was " + decision + ", must come from this engine's decide()"));
      return NotMirrored.ERROR.result();
    }
    Reservation reservation = (Reservation) decision;
    if (!reservation.settle()) {
      internalError("submit", new IllegalStateException("decision: was already submitted or"
          + " abandoned, must be used once"));
      return NotMirrored.ERROR.result();
    }
    try {
      if (request == null) {
        giveBack(reservation, DropReason.ERROR);
        internalError("submit", new NullPointerException("request"));
        return NotMirrored.ERROR.result();
      }
      if (request.bodyLength() > reservation.policy.policy.maxBodyBytes()) {
        giveBack(reservation, DropReason.BODY_TOO_LARGE);
        return SubmitResult.dropped(DropReason.BODY_TOO_LARGE);
      }
      if (closed) {
        giveBack(reservation, DropReason.CLOSED);
        return SubmitResult.dropped(DropReason.CLOSED);
      }
      return dispatch(reservation, request);
    } catch (RuntimeException | Error e) {
      internalError("submitting", e);
      return NotMirrored.ERROR.result();
    }
  }

  private SubmitResult dispatch(Reservation reservation, MirroredRequest request) {
    String id = request.id() != null ? request.id() : idPrefix + Long.toHexString(nextId.incrementAndGet());
    MirroredRequest withId = request.id() != null ? request : request.withId(id);
    boolean synchronous = reservation.policy.policy.mode() == MirrorMode.SYNCHRONOUS;
    List<SubmitResult.TargetResult> results = new ArrayList<>(reservation.skipped);
    CompletableFuture<?>[] done = synchronous ? new CompletableFuture<?>[reservation.channels.length] : null;
    Outcome overall = null;
    DropReason overallDrop = null;
    for (int i = 0; i < reservation.channels.length; i++) {
      TargetChannel channel = reservation.channels[i];
      CopyTask task = new CopyTask(channel, withId, id);
      try {
        dispatch.execute(task);
        overall = Outcome.ACCEPTED;
        results.add(new SubmitResult.TargetResult(channel.target.name(), Outcome.ACCEPTED, null));
        if (done != null) {
          done[i] = task.done;
        }
      } catch (RejectedExecutionException e) {
        DropReason reason = closed ? DropReason.CLOSED : DropReason.QUEUE_FULL;
        giveBack(channel, reason);
        overallDrop = overallDrop == null ? reason : overallDrop;
        results.add(new SubmitResult.TargetResult(channel.target.name(), Outcome.DROPPED, reason));
        if (done != null) {
          done[i] = CompletableFuture.completedFuture(null);
        }
      }
    }
    if (done != null && overall == Outcome.ACCEPTED) {
      awaitCopies(done, reservation.policy.syncWaitNanos);
    }
    if (overall == null) {
      return new SubmitResult(Outcome.DROPPED, overallDrop, results);
    }
    return new SubmitResult(Outcome.ACCEPTED, null, results);
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

  @Override
  public void abandon(Decision decision, DropReason reason) {
    Objects.requireNonNull(reason, "reason");
    if (decision instanceof Reservation && ((Reservation) decision).settle()) {
      giveBack((Reservation) decision, reason);
    }
  }

  private void giveBack(Reservation reservation, DropReason reason) {
    for (TargetChannel channel : reservation.channels) {
      giveBack(channel, reason);
    }
  }

  private void giveBack(TargetChannel channel, DropReason reason) {
    channel.release();
    dropped(channel, reason);
    leaveFlight();
  }

  private void dropped(TargetChannel channel, DropReason reason) {
    channel.countDropped(reason);
    if (listeners.length > 0) {
      publish(new MirrorEvent.Dropped(channel.policy.policy.name(), channel.target.name(), reason));
    }
  }

  private void leaveFlight() {
    if (totalInFlight.decrementAndGet() == 0 && closed) {
      synchronized (drained) {
        drained.notifyAll();
      }
    }
  }

  /** One copy for one target: composed and sent on a dispatch thread. */
  private final class CopyTask implements Runnable {
    final TargetChannel channel;
    final MirroredRequest request;
    final String id;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    CopyTask(TargetChannel channel, MirroredRequest request, String id) {
      this.channel = channel;
      this.request = request;
      this.id = id;
    }

    @Override
    public void run() {
      long start = nanoTime.getAsLong();
      ShadowRequest copy;
      try {
        copy = CopyComposer.compose(channel.policy.policy, channel.target, request, id);
      } catch (RuntimeException e) {
        finish(null, null, e, start);
        return;
      }
      CompletableFuture<ShadowResponse> exchange;
      try {
        exchange = Objects.requireNonNull(transport.send(copy), "the transport returned null");
      } catch (RuntimeException | Error e) {
        finish(copy, null, e, start);
        return;
      }
      sending.add(exchange);
      Duration deadline = channel.target.connectTimeout().plus(channel.target.readTimeout());
      // A backstop for any transport: past connect + read timeout, the exchange is cancelled.
      exchange.copy()
          .orTimeout(deadline.toNanos(), TimeUnit.NANOSECONDS)
          .whenComplete((response, failure) -> {
            if (failure != null) {
              exchange.cancel(true);
            }
            sending.remove(exchange);
            finish(copy, response, failure, start);
          });
    }

    void finish(ShadowRequest copy, ShadowResponse response, Throwable failure, long start) {
      long latency = nanoTime.getAsLong() - start;
      try {
        channel.release();
        if (failure == null) {
          channel.circuit.onSuccess();
          channel.countSent(response.statusCode(), latency);
          logResponse(response, latency);
          if (listeners.length > 0) {
            publish(new MirrorEvent.Sent(channel.policy.policy.name(), channel.target.name(), copy,
                response, Duration.ofNanos(latency)));
          }
        } else {
          FailureReason reason = FailureClassifier.classify(failure);
          if (reason != FailureReason.INVALID_REQUEST) {
            channel.circuit.onFailure();
          }
          channel.countFailed(reason, latency);
          logFailure(reason, failure);
          if (listeners.length > 0) {
            publish(new MirrorEvent.Failed(channel.policy.policy.name(), channel.target.name(), copy,
                reason, failure, Duration.ofNanos(latency)));
          }
        }
      } finally {
        leaveFlight();
        done.complete(null);
      }
    }

    private void logResponse(ShadowResponse response, long latencyNanos) {
      if (!channel.policy.policy.logResponses()) {
        return;
      }
      int status = response.statusCode();
      Long heldBack = responseLog.pass(channel.target.name() + ' ' + status / 100);
      if (heldBack != null) {
        LOG.info("mirror copy {} -> {} {}: {} in {} ms{}", id, channel.policy.policy.name(),
            channel.target.name(), status, TimeUnit.NANOSECONDS.toMillis(latencyNanos),
            heldBack > 0 ? " (" + heldBack + " more like it not logged)" : "");
      }
    }

    private void logFailure(FailureReason reason, Throwable failure) {
      Long heldBack = failureLog.pass(channel.target.name() + ' ' + reason);
      if (heldBack != null) {
        Throwable cause = unwrap(failure);
        LOG.warn("mirror copy to {} ({}) failed: {} ({}){}", channel.target.name(),
            channel.target.address(), reason, cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()),
            heldBack > 0 ? "; " + heldBack + " more failures like it in the last interval" : "");
      }
    }
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof java.util.concurrent.CompletionException
        || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private void publish(MirrorEvent event) {
    for (MirrorListener listener : listeners) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        internalError("a listener threw", e);
      }
    }
  }

  private void internalError(String what, Throwable e) {
    errors.increment();
    Long heldBack = failureLog.pass("internal " + what);
    if (heldBack != null) {
      LOG.error("mirror: {} (the primary request is not affected){}", what,
          heldBack > 0 ? "; " + heldBack + " more like it not logged" : "", e);
    }
  }

  /**
   * Records an error that happened while mirroring outside the engine (for example in an entry
   * point's capture); counted in {@link MirrorStats#errors()} and logged at a limited rate.
   */
  public void reportError(String what, Throwable error) {
    internalError(what, error);
  }

  /** Returns the counts so far. */
  public MirrorStats stats() {
    reclaimLostReservations();
    List<TargetStats> targets = new ArrayList<>();
    for (PolicyRuntime policy : policies) {
      for (TargetChannel channel : policy.channels) {
        targets.add(channel.snapshot());
      }
    }
    return new MirrorStats(requests.sum(), unrouted.sum(), disabledCount.sum(), errors.sum(),
        targets);
  }

  /**
   * Stops taking requests, waits up to the close timeout for copies in flight, cancels the rest,
   * stops the threads and closes the transport if the engine made it. Safe to call twice.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    dispatch.shutdown();
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    synchronized (drained) {
      long left;
      while (totalInFlight.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(drained, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    for (Runnable never : dispatch.shutdownNow()) {
      CopyTask task = (CopyTask) never;
      giveBack(task.channel, DropReason.CLOSED);
      task.done.complete(null);
    }
    for (CompletableFuture<ShadowResponse> exchange : sending) {
      exchange.cancel(true);
    }
    try {
      dispatch.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (ownsTransport) {
      transport.close();
    }
  }

  /** Builds a {@link MirrorEngine}. */
  public static final class Builder {
    private final List<MirrorPolicy> policies = new ArrayList<>();
    private MirrorTransport transport;
    private boolean ownsTransport;
    private final List<MirrorListener> listeners = new ArrayList<>();
    private int dispatchThreads = DEFAULT_DISPATCH_THREADS;
    private Duration closeTimeout = Duration.ofMillis(DEFAULT_CLOSE_TIMEOUT_MILLIS);
    private boolean enabled = true;

    private Builder() {}

    /** Adds a policy; policies are tried in the order added. */
    public Builder policy(MirrorPolicy policy) {
      policies.add(Objects.requireNonNull(policy, "policy"));
      return this;
    }

    /** Adds policies; tried in order. */
    public Builder policies(List<MirrorPolicy> policies) {
      policies.forEach(this::policy);
      return this;
    }

    /**
     * The transport copies go out through (default: an {@link HttpTransport} the engine makes and
     * closes). A transport passed here is the caller's to close.
     */
    public Builder transport(MirrorTransport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      this.ownsTransport = false;
      return this;
    }

    /** A transport the engine closes with itself (one made from configuration). */
    Builder ownedTransport(MirrorTransport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      this.ownsTransport = true;
      return this;
    }

    /** Adds a listener for copy events. */
    public Builder listener(MirrorListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** Dispatch threads (default {@value MirrorEngine#DEFAULT_DISPATCH_THREADS}), in [1, 64]. */
    public Builder dispatchThreads(int threads) {
      if (threads < 1 || threads > 64) {
        throw new IllegalArgumentException("dispatch-threads: was " + threads + ", must be in [1, 64]");
      }
      this.dispatchThreads = threads;
      return this;
    }

    /** How long close() waits (default {@value MirrorEngine#DEFAULT_CLOSE_TIMEOUT_MILLIS} ms). */
    public Builder closeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("close-timeout: was " + timeout + ", must be >= 0");
      }
      this.closeTimeout = timeout;
      return this;
    }

    /** Whether mirroring starts switched on (default true). */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * Returns a new engine; each call makes one with its own threads.
     *
     * @throws IllegalStateException if no policy was added
     */
    public MirrorEngine build() {
      if (policies.isEmpty()) {
        throw new IllegalStateException("policies: was empty, must hold at least one policy");
      }
      return new MirrorEngine(this);
    }
  }
}
