package dev.mirror.core;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.MirrorDispatcher;
import dev.mirror.api.MirrorListener;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.RequestView;
import dev.mirror.api.SubmitResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The mirroring engine: the {@link MirrorDispatcher} every entry point uses.
 *
 * <p>On the request thread it only decides and hands over: route to the first policy that takes
 * the request, check the loop marker, filter, sample, and take room at each target (circuit,
 * in-flight cap, rate limit). A "no" allocates nothing. Copies are composed and sent on the
 * transport's event loop (the default {@link NioHttpTransport}: one hand-off from the request
 * thread to the socket), or on a small fixed pool ({@code mirror-dispatch-N}) for a transport
 * without one. Each target holds at most its {@code maxInFlight} copies, so memory held by copies
 * stays under the sum of caps times the body limit. Whatever goes wrong is counted in {@link
 * #stats()} and never reaches the caller.
 *
 * <p>Inside, each job has its class: {@link Admission} decides, {@link Dispatch} hands over (and
 * waits in synchronous mode), {@link CopyRun} runs one copy, {@link Outcomes} counts how copies
 * end, {@link InFlight} lets close wait for them.
 *
 * <pre>{@code
 * MirrorEngine engine = MirrorEngine.builder()
 *     .policy(MirrorPolicy.to("http://staging.internal:8080").sampler(Sampler.ratio(0.1)).build())
 *     .build();
 * engine.submit(MirroredRequest.builder().method("GET").rawTarget("/search?q=a").build());
 * }</pre>
 */
public final class MirrorEngine implements MirrorDispatcher {

  /** Default number of dispatch threads, for transports without an event loop: {@value}. */
  public static final int DEFAULT_DISPATCH_THREADS = 2;

  /** Default time {@link #close()} waits for copies in flight, in milliseconds: {@value}. */
  public static final long DEFAULT_CLOSE_TIMEOUT_MILLIS = 5_000;

  private final Admission admission;
  private final Dispatch dispatch;
  private final Outcomes outcomes;
  private final InFlight inFlight = new InFlight();
  private final Duration closeTimeout;
  private volatile boolean closed;

  private MirrorEngine(Builder builder) {
    LongSupplier nanoTime = builder.nanoTime;
    PolicyRuntime[] policies = new PolicyRuntime[builder.policies.size()];
    int totalCap = 0;
    for (int i = 0; i < policies.length; i++) {
      policies[i] = new PolicyRuntime(builder.policies.get(i), nanoTime);
      for (TargetChannel channel : policies[i].channels) {
        totalCap += channel.target.maxInFlight();
      }
    }
    this.outcomes = new Outcomes(builder.listeners.toArray(new MirrorListener[0]), inFlight,
        nanoTime);
    this.admission = new Admission(policies, outcomes, inFlight, builder.enabled);
    MirrorTransport transport = builder.transport == null ? NioHttpTransport.create()
        : builder.transport;
    this.dispatch = new Dispatch(transport, builder.transport == null || builder.ownsTransport,
        builder.dispatchThreads, totalCap, outcomes, nanoTime);
    this.closeTimeout = builder.closeTimeout;
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the policies, in the order they are tried. */
  public List<MirrorPolicy> policies() {
    List<MirrorPolicy> out = new ArrayList<>();
    for (PolicyRuntime p : admission.policies()) {
      out.add(p.policy);
    }
    return List.copyOf(out);
  }

  /** Switches mirroring on or off at run time; copies in flight are not affected. */
  public void setEnabled(boolean enabled) {
    admission.setEnabled(enabled);
  }

  /** Returns true if mirroring is switched on. */
  public boolean isEnabled() {
    return admission.isEnabled();
  }

  @Override
  public Decision decide(RequestView request) {
    return admission.decide(request, null);
  }

  @Override
  public Decision decide(RequestView request, String policyName) {
    return admission.decide(request, policyName);
  }

  @Override
  public SubmitResult submit(Decision decision, MirroredRequest request) {
    return dispatch.submit(decision, request);
  }

  @Override
  public void abandon(Decision decision, DropReason reason) {
    Objects.requireNonNull(reason, "reason");
    if (decision instanceof Reservation && ((Reservation) decision).settle()) {
      outcomes.giveBack((Reservation) decision, reason);
    }
  }

  /**
   * Records an error that happened while mirroring outside the engine (in an entry point):
   * counted in {@link MirrorStats#errors()} and logged at a limited rate. Returns true.
   */
  @Override
  public boolean reportError(String where, Throwable error) {
    outcomes.internalError(where, error);
    return true;
  }

  /** Returns the counts so far; reading them changes nothing. */
  public MirrorStats stats() {
    List<PolicyStats> policies = new ArrayList<>();
    for (PolicyRuntime policy : admission.policies()) {
      policies.add(policy.snapshot());
    }
    return new MirrorStats(admission.requests(), admission.unrouted(), admission.disabled(),
        outcomes.errors(), policies);
  }

  /**
   * Stops taking requests, waits up to the close timeout for copies in flight, then ends the rest
   * (copies not started count as dropped {@code CLOSED}, open exchanges are cancelled), stops the
   * threads and closes the transport if the engine made it. Safe to call twice.
   */
  @Override
  public void close() {
    synchronized (inFlight) {
      if (closed) {
        return;
      }
      closed = true;
    }
    admission.close();
    dispatch.close(inFlight, System.nanoTime() + closeTimeout.toNanos());
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
    private LongSupplier nanoTime = System::nanoTime;

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
     * The transport copies go out through (default: a {@link NioHttpTransport} the engine makes
     * and closes). A transport passed here is the caller's to close.
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

    /** Adds a listener for copy events; listeners run on the thread that ends the copy. */
    public Builder listener(MirrorListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Dispatch threads (default {@value MirrorEngine#DEFAULT_DISPATCH_THREADS}), in [1, 64]: used
     * only with a transport that has no event loop of its own.
     */
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

    /**
     * The clock the engine times everything by: circuits' cool-down, rate limits, copies'
     * latency, a saturated transport's pause and the intervals of its logs. A monotonic clock in
     * nanoseconds; default {@code System::nanoTime}. Tests pass a fake one to move time by hand.
     * (Waits, such as {@link MirrorEngine#close()}'s, take real time.)
     */
    public Builder clock(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
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
