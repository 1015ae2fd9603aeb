package dev.mirror.core;

import dev.mirror.api.DropReason;
import dev.mirror.api.FailureReason;
import dev.mirror.api.MirrorEvent;
import dev.mirror.api.MirrorListener;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.core.internal.FailureClassifier;
import dev.mirror.core.internal.RateLimitedLog;
import dev.mirror.core.internal.http1.PipelinedBehindException;
import dev.mirror.core.internal.http1.QueuedBehindTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Where every copy ends: counted at its target, its room given back, the circuit told, listeners
 * told, and a log line at a limited rate. Also where internal errors are counted and logged.
 */
final class Outcomes {

  /** The MDC key that carries the copy's request id around mirror's own log lines. */
  static final String MDC_REQUEST_ID = "mirror.request_id";

  private static final Logger LOG = LoggerFactory.getLogger(MirrorEngine.class);

  private final MirrorListener[] listeners;
  /** Where listeners run: off the thread that ends a copy (an event loop). */
  private final ListenerRelay relay;
  private final InFlight inFlight;
  private final RateLimitedLog failureLog;
  private final RateLimitedLog responseLog;
  private final LongAdder errors = new LongAdder();

  Outcomes(MirrorListener[] listeners, InFlight inFlight, LongSupplier nanoTime) {
    this.listeners = listeners;
    this.relay = listeners.length == 0 ? null : new ListenerRelay(listeners, this::internalError);
    this.inFlight = inFlight;
    this.failureLog = new RateLimitedLog(Duration.ofSeconds(10), nanoTime);
    this.responseLog = new RateLimitedLog(Duration.ofSeconds(1), nanoTime);
  }

  /** A copy made after admission (a dead letter) holds room from now on. */
  void entered() {
    inFlight.enter(1);
  }

  /** A copy that never held room: counted as dropped. */
  void dropped(TargetChannel channel, DropReason reason) {
    channel.countDropped(reason);
    if (listeners.length > 0) {
      publish(new MirrorEvent.Dropped(channel.policy.policy.name(), channel.target.name(), reason));
    }
  }

  /** A copy that held room and goes no further. */
  void giveBack(TargetChannel channel, DropReason reason) {
    channel.release();
    dropped(channel, reason);
    inFlight.leave();
  }

  /** A body that could not be scrubbed: dropped, said at a limited rate (never its content). */
  void scrubFailed(TargetChannel channel, String id, String why) {
    giveBack(channel, DropReason.SCRUB_FAILED);
    Long heldBack = failureLog.pass(channel.target.name() + " scrub");
    if (heldBack != null) {
      try (MDC.MDCCloseable request = MDC.putCloseable(MDC_REQUEST_ID, id)) {
        LOG.warn("mirror copy {} to {} dropped: {} (mirror.scrub-on-failure=drop){}", id,
            channel.target.name(), why, heldBack > 0 ? " (" + heldBack + " more not logged)" : "");
      }
    }
  }

  void giveBack(Reservation reservation, DropReason reason) {
    reservation.releaseCaptured();
    for (TargetChannel channel : reservation.channels) {
      giveBack(channel, reason);
    }
  }

  /** The shadow answered. */
  void sent(TargetChannel channel, String id, ShadowRequest copy, ShadowResponse response,
      long latencyNanos) {
    try {
      channel.release();
      channel.unsaturated();
      channel.circuit.onSuccess();
      channel.countSent(response.statusCode(), latencyNanos);
      if (channel.policy.policy.logResponses()) {
        logResponse(channel, id, response.statusCode(), latencyNanos);
      }
      if (listeners.length > 0) {
        publish(new MirrorEvent.Sent(channel.policy.policy.name(), channel.target.name(), copy,
            response, Duration.ofNanos(latencyNanos)));
      }
    } finally {
      inFlight.leave();
    }
  }

  /** The copy could not be composed or sent, or got no answer. */
  void failed(TargetChannel channel, ShadowRequest copy, Throwable failure, long latencyNanos) {
    try {
      channel.release();
      channel.unsaturated();
      FailureReason reason = FailureClassifier.classify(failure);
      // A copy that timed out only because it waited behind a slower answer says nothing of
      // the shadow's health.
      if (reason != FailureReason.INVALID_REQUEST
          && !(unwrap(failure) instanceof QueuedBehindTimeoutException)
          && !(unwrap(failure) instanceof PipelinedBehindException)) {
        channel.circuit.onFailure();
      }
      channel.countFailed(reason, latencyNanos);
      logFailure(channel, copy == null ? null : copy.requestId(), reason, failure);
      if (listeners.length > 0) {
        publish(new MirrorEvent.Failed(channel.policy.policy.name(), channel.target.name(), copy,
            reason, failure, Duration.ofNanos(latencyNanos)));
      }
    } finally {
      inFlight.leave();
    }
  }

  private void logResponse(TargetChannel channel, String id, int status, long latencyNanos) {
    Long heldBack = responseLog.pass(channel.target.name() + ' ' + status / 100);
    if (heldBack != null) {
      try (MDC.MDCCloseable request = MDC.putCloseable(MDC_REQUEST_ID, id)) {
        LOG.info("mirror copy {} -> {} {}: {} in {} ms{}", id, channel.policy.policy.name(),
            channel.target.name(), status, TimeUnit.NANOSECONDS.toMillis(latencyNanos),
            heldBack > 0 ? " (" + heldBack + " more like it not logged)" : "");
      }
    }
  }

  private void logFailure(TargetChannel channel, String id, FailureReason reason,
      Throwable failure) {
    Long heldBack = failureLog.pass(channel.target.name() + ' ' + reason);
    if (heldBack != null) {
      Throwable cause = unwrap(failure);
      MDC.put(MDC_REQUEST_ID, id);
      try {
        LOG.warn("mirror copy to {} ({}) failed: {} ({}){}", channel.target.name(),
          channel.target.address(), reason, cause.getClass().getSimpleName()
              + (cause.getMessage() == null ? "" : ": " + cause.getMessage()),
          heldBack > 0 ? "; " + heldBack + " more failures like it in the last interval" : "");
      } finally {
        MDC.remove(MDC_REQUEST_ID);
      }
    }
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private void publish(MirrorEvent event) {
    relay.publish(event);
  }

  /** Delivers the events still waiting and stops the listeners' thread. */
  void close() {
    if (relay != null) {
      relay.close();
    }
  }

  /** Counts and logs (at a limited rate) an error of mirror's own; the primary never sees it. */
  void internalError(String what, Throwable e) {
    errors.increment();
    Long heldBack = failureLog.pass("internal " + what);
    if (heldBack != null) {
      LOG.error("mirror: {} (the primary request is not affected){}", what,
          heldBack > 0 ? "; " + heldBack + " more like it not logged" : "", e);
    }
  }

  long errors() {
    return errors.sum();
  }
}
