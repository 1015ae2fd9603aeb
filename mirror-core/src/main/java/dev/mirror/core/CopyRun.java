package dev.mirror.core;

import dev.mirror.api.DropReason;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Observation;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.api.TransportFullException;
import dev.mirror.core.internal.FailureClassifier;
import dev.mirror.core.internal.compare.Comparisons;
import dev.mirror.core.internal.scrub.Scrubber;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One copy for one target, from its hand-over to its end: composed and sent on the dispatch
 * executor, then counted where its exchange completes. Ends exactly once, through {@link Outcomes}.
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
    if (dispatch.abandoning) {
      dispatch.outcomes().giveBack(channel, DropReason.CLOSED);
      missing("dropped: CLOSED");
      end();
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
        dispatch.outcomes().giveBack(channel, DropReason.QUEUE_FULL);
        missing("dropped: QUEUE_FULL");
      } else {
        dispatch.outcomes().failed(channel, copy, failure, latency);
        missing("failed: " + FailureClassifier.classify(failure));
      }
    } finally {
      end();
    }
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
