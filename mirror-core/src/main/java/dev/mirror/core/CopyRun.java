package dev.mirror.core;

import dev.mirror.api.DropReason;
import dev.mirror.api.FailureReason;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Observation;
import dev.mirror.api.RetryPolicy;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.api.TransportFullException;
import dev.mirror.core.internal.FailureClassifier;
import dev.mirror.core.internal.compare.Comparisons;
import dev.mirror.core.internal.scrub.Scrubber;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLHandshakeException;

/**
 * One copy for one target, from its hand-over to its end: composed and sent on the dispatch
 * executor, then counted where its exchange completes. Ends exactly once, through {@link Outcomes}.
 *
 * <p>A copy that failed before the shadow could have processed it is sent again after a backoff
 * when its target allows ({@link RetryPolicy}): it keeps its room (in flight, bytes) while it
 * waits, and only its final outcome is counted and told to the circuit.
 */
final class CopyRun implements Runnable, BiConsumer<ShadowResponse, Throwable> {

  private final Dispatch dispatch;
  private final TargetChannel channel;
  private final MirroredRequest request;
  private final String id;
  /** What this copy counts against its target's byte cap, given back when it ends. */
  private final int bytes;
  /** Completed when the copy ends, for a synchronous caller; null otherwise. */
  final CompletableFuture<Void> done;
  /** Where this copy's answer goes to be compared; null if it is not. */
  private final Comparisons comparisons;
  private ShadowRequest copy;
  private CompletableFuture<ShadowResponse> exchange;
  private long start;
  /** Retries used so far. */
  private int retries;

  CopyRun(Dispatch dispatch, TargetChannel channel, MirroredRequest request, String id, int bytes,
      boolean synchronous, Comparisons comparisons) {
    this.comparisons = comparisons;
    this.dispatch = dispatch;
    this.channel = channel;
    this.request = request;
    this.id = id;
    this.bytes = bytes;
    this.done = synchronous ? new CompletableFuture<>() : null;
  }

  @Override
  public void run() {
    if (dispatch.abandoning || (retries > 0 && dispatch.closing())) {
      endClosed();
      return;
    }
    start = dispatch.nanoTime.getAsLong();
    try {
      Scrubber scrubber = channel.policy.scrubber;
      if (scrubber == null) {
        copy = CopyComposer.compose(channel.policy.policy, channel.target, request, id);
      } else {
        int[] redacted = new int[1];
        copy = CopyComposer.compose(channel.policy.policy, scrubber, channel.target, request, id,
            redacted);
        channel.countScrubbed(redacted[0], dispatch.nanoTime.getAsLong() - start);
      }
      if (channel.keepAnswerBytes > 0) {
        copy = new ShadowRequest(copy.policy(), copy.target(), copy.requestId(), copy.method(),
            copy.uri(), copy.headers(), copy.body(), channel.keepAnswerBytes);
      }
      exchange = Objects.requireNonNull(channel.transport.send(copy),
          "the transport returned null");
    } catch (Scrubber.Failed e) {
      dispatch.outcomes().scrubFailed(channel, id, e.getMessage());
      missing("dropped: SCRUB_FAILED");
      end();
      return;
    } catch (RuntimeException | Error e) {
      accept(null, e);
      return;
    }
    if (channel.transport.enforcesTimeouts()) {
      exchange.whenComplete(this);
      return;
    }
    // A backstop for a transport that does not enforce timeouts: past connect + read timeout,
    // the exchange is cancelled.
    dispatch.watched().add(exchange);
    long deadline = channel.target.connectTimeout().plus(channel.target.readTimeout()).toNanos();
    exchange.copy().orTimeout(deadline, TimeUnit.NANOSECONDS).whenComplete(this);
  }

  /** The exchange ended: with an answer, or a failure. */
  @Override
  public void accept(ShadowResponse response, Throwable failure) {
    long latency = dispatch.nanoTime.getAsLong() - start;
    boolean ended = true;
    try {
      if (exchange != null && !channel.transport.enforcesTimeouts()) {
        if (failure != null) {
          exchange.cancel(true);
        }
        dispatch.watched().remove(exchange);
      }
      if (failure == null) {
        dispatch.outcomes().sent(channel, id, copy, response, latency);
        if (comparisons != null) {
          comparisons.shadow(id, channel.target.name(), Observation.answer(channel.target.name(),
              response.statusCode(), response.headers(), response.body(),
              response.bodyComplete(), latency));
        }
      } else if (transportFull(failure)) {
        channel.saturated();
        dispatch.deadLetter(channel, request, id, DropReason.QUEUE_FULL.name(), retries);
        dispatch.outcomes().giveBack(channel, DropReason.QUEUE_FULL);
        missing("dropped: QUEUE_FULL");
      } else if (retried(failure)) {
        ended = false;
      } else {
        dispatch.deadLetter(channel, request, id, FailureClassifier.classify(failure).name(),
            retries + 1);
        dispatch.outcomes().failed(channel, copy, failure, latency);
        missing("failed: " + FailureClassifier.classify(failure));
      }
    } finally {
      if (ended) {
        end();
      }
    }
  }

  /**
   * Schedules this copy to be sent again if its failure and its target allow; false if it ends
   * now (counted as exhausted or refused where retries were due). When true, the copy has not
   * ended: it ends later, as its retry does, or as {@link DropReason#CLOSED} if the engine closes
   * first.
   */
  private boolean retried(Throwable failure) {
    RetryPolicy retry = channel.target.retry();
    if (!retry.enabled() || !retryable(failure, retry, request.method())) {
      return false;
    }
    if (retries >= retry.attempts()) {
      channel.countRetriesExhausted();
      return false;
    }
    if (!channel.tryReserveRetry()) {
      return false;
    }
    retries++;
    copy = null;
    exchange = null;
    long delay = retry.delayNanos(retries, ThreadLocalRandom.current().nextDouble());
    if (!dispatch.scheduleRetry(this, delay)) {
      channel.retryDone();
      endClosed();
    }
    return true;
  }

  /**
   * True if a copy that failed so may be sent again: it failed before the shadow could have
   * processed it (no connection, or no TLS session, so not a byte of it was written), or the
   * operator accepts a duplicate for an idempotent method that timed out or lost its connection.
   */
  static boolean retryable(Throwable failure, RetryPolicy retry, String method) {
    FailureReason reason = FailureClassifier.classify(failure);
    if (reason == FailureReason.CONNECT) {
      return true;
    }
    if (reason == FailureReason.TLS && handshake(failure)) {
      return true;
    }
    return retry.idempotentTimeouts()
        && (reason == FailureReason.TIMEOUT || reason == FailureReason.IO)
        && idempotent(method);
  }

  private static boolean handshake(Throwable failure) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
      if (t instanceof SSLHandshakeException) {
        return true;
      }
      String message = t.getMessage();
      if (t instanceof javax.net.ssl.SSLException && message != null
          && message.toLowerCase(Locale.ROOT).contains("handshake")) {
        return true;
      }
    }
    return false;
  }

  /** RFC 9110 section 9.2.2: the methods whose repeated effect is the effect of one. */
  static boolean idempotent(String method) {
    return switch (method == null ? "" : method.toUpperCase(Locale.ROOT)) {
      case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
      default -> false;
    };
  }

  /** The retry's time came: sent again from the start (composed afresh). */
  void retryDue() {
    channel.retryDone();
    dispatch.resend(this, channel);
  }

  /** The engine closed while this copy waited for its retry, or could not take it again. */
  void endClosed() {
    endDropped(DropReason.CLOSED);
  }

  /** Ends this copy, waiting for its retry, as dropped for this reason. */
  void endDropped(DropReason reason) {
    dispatch.deadLetter(channel, request, id, reason.name(), retries);
    dispatch.outcomes().giveBack(channel, reason);
    missing("dropped: " + reason);
    end();
  }

  /** The engine closed while this copy waited for its retry. */
  void retryCancelled() {
    channel.retryDone();
    endClosed();
  }

  /** Tells the comparison this target has no answer, and why. */
  private void missing(String why) {
    if (comparisons != null) {
      comparisons.shadow(id, channel.target.name(), Observation.failure(channel.target.name(),
          why, -1));
    }
  }

  private static boolean transportFull(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof TransportFullException) {
        return true;
      }
    }
    return false;
  }

  private void end() {
    channel.releaseBytes(bytes);
    if (done != null) {
      done.complete(null);
    }
  }
}
