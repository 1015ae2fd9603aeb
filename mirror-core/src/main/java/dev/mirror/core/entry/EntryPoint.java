package dev.mirror.core.entry;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.MirrorDispatcher;
import dev.mirror.api.RequestView;
import dev.mirror.core.internal.RateLimitedLog;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an entry point (the servlet filter, the JAX-RS feature, an interceptor) needs of core: it
 * opens one {@link CaptureSession} per request, and errors are reported once, whatever the
 * dispatcher.
 *
 * <p>Every call into the dispatcher is guarded: a dispatcher given in code that throws from
 * {@code decide}, {@code submit} or {@code abandon} never fails the application's request; the
 * error is counted and logged once (by the dispatcher, if {@link
 * MirrorDispatcher#reportError(String, Throwable)} takes it, else here, at a limited rate).
 */
public final class EntryPoint {

  private static final Logger LOG = LoggerFactory.getLogger(EntryPoint.class);

  private final MirrorDispatcher dispatcher;
  private final String name;
  private final RateLimitedLog log = new RateLimitedLog(Duration.ofSeconds(10), System::nanoTime);
  private final LongAdder errors = new LongAdder();

  /**
   * An entry point over this dispatcher.
   *
   * @param name how the entry point is named in log lines, for example {@code servlet filter}
   */
  public EntryPoint(MirrorDispatcher dispatcher, String name) {
    this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
    this.name = Objects.requireNonNull(name, "name");
  }

  /** Returns the dispatcher. */
  public MirrorDispatcher dispatcher() {
    return dispatcher;
  }

  /**
   * Decides on a request and, if it is mirrored, returns its session; null means the request goes
   * on untouched. Never throws. The same as {@link #decide} then {@link #open(Decision, long,
   * boolean)}, for an entry point that knows the body's framing before deciding at no cost.
   *
   * @param policy the policy to decide under, or null for the first that takes the request
   * @param declaredLength the body's declared length, or -1 if not declared
   * @param mayHaveBody false only if the protocol says the request has no body at all
   */
  public CaptureSession open(
      RequestView view, String policy, long declaredLength, boolean mayHaveBody) {
    Decision decision = decide(view, policy);
    return decision == null ? null : open(decision, declaredLength, mayHaveBody);
  }

  /**
   * Decides on a request, the first half of {@link #open(RequestView, String, long, boolean)},
   * for an entry point that reads the body's framing only for a request that is mirrored (where
   * reading it costs something, as JAX-RS's {@code getLength()} does). Returns null when the
   * request is not mirrored (sampled out, filtered out, turned away): nothing is allocated and
   * nothing more is to be done. A decision returned must be passed on exactly once, to {@link
   * #open(Decision, long, boolean)} or {@link #abandon}. Never throws.
   *
   * @param policy the policy to decide under, or null (or empty) for the first that takes it
   */
  public Decision decide(RequestView view, String policy) {
    Decision decision;
    try {
      decision = policy == null || policy.isEmpty()
          ? dispatcher.decide(view) : dispatcher.decide(view, policy);
    } catch (RuntimeException | Error e) {
      reportError("deciding", e);
      return null;
    }
    return decision == null || !decision.mirrored() ? null : decision;
  }

  /**
   * Opens the session of a request {@link #decide decided} to be mirrored; null if it cannot be
   * captured (its declared length is over the limit, or an error), the decision then given up
   * with why. Takes the decision over in every case. Never throws.
   *
   * @param declaredLength the body's declared length, or -1 if not declared
   * @param mayHaveBody false only if the protocol says the request has no body at all
   */
  public CaptureSession open(Decision decision, long declaredLength, boolean mayHaveBody) {
    try {
      if (declaredLength > decision.maxBodyBytes()) {
        abandon(decision, DropReason.BODY_TOO_LARGE);
        return null;
      }
      // No body and no declared length: an empty body is expected (no buffer is kept for it).
      // With this engine's decision, the buffer takes room at the targets' byte caps as it grows.
      BodyCapture capture = new BodyCapture(decision.maxBodyBytes(),
          !mayHaveBody && declaredLength < 0 ? 0 : declaredLength,
          decision instanceof CaptureRoom room ? room::reserveCaptured : null);
      if (!mayHaveBody || declaredLength == 0) {
        capture.end();
      }
      return new CaptureSession(this, decision, capture);
    } catch (RuntimeException | Error e) {
      abandon(decision, DropReason.ERROR);
      reportError("starting a capture", e);
      return null;
    }
  }

  /**
   * Gives up a decision to mirror that will not be opened (the entry point failed between
   * deciding and opening), counting why; a dispatcher that throws is reported, never thrown.
   */
  public void abandon(Decision decision, DropReason reason) {
    try {
      dispatcher.abandon(decision, reason);
    } catch (RuntimeException | Error e) {
      reportError("abandoning a copy", e);
    }
  }

  /**
   * Reports an error of mirroring's own (the application's request is not affected): counted and
   * logged once, by the dispatcher if it takes it, else here at a limited rate.
   */
  public void reportError(String what, Throwable error) {
    boolean taken;
    try {
      taken = dispatcher.reportError(name + ": " + what, error);
    } catch (RuntimeException | Error e) {
      taken = false;
    }
    if (!taken) {
      errors.increment();
      Long heldBack = log.pass(what);
      if (heldBack != null) {
        LOG.error("mirror {}: {} (the request itself is not affected){}", name, what,
            heldBack > 0 ? "; " + heldBack + " more like it not logged" : "", error);
      }
    }
  }

  /** Errors counted here: those the dispatcher did not take. */
  public long errors() {
    return errors.sum();
  }
}
