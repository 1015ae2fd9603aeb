package dev.mirror.cli;

import dev.mirror.api.MirrorTransport;
import dev.mirror.api.Observation;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * The engine's transport, which also hands the answers of one target (the gate's {@code
 * baseline}) to the engine as the primary's: the baseline gets exactly the copy the candidate
 * gets (composed, redacted and timed by the same engine and transport), and its answer, body
 * kept up to the comparison's limit, becomes the side the candidate is compared with.
 */
final class PrimaryTap implements MirrorTransport {

  private final MirrorTransport delegate;
  private final String primaryTarget;
  private final int keepAnswerBytes;
  private final BiConsumer<String, Observation> answered;

  /**
   * @param delegate the transport that sends every copy
   * @param primaryTarget the target whose answers are the primary's
   * @param keepAnswerBytes how much of its answers' bodies is kept
   * @param answered told each of its answers (or failures), by request id, on the transport's
   *     thread
   */
  PrimaryTap(MirrorTransport delegate, String primaryTarget, int keepAnswerBytes,
      BiConsumer<String, Observation> answered) {
    this.delegate = delegate;
    this.primaryTarget = primaryTarget;
    this.keepAnswerBytes = keepAnswerBytes;
    this.answered = answered;
  }

  @Override
  public CompletableFuture<ShadowResponse> send(ShadowRequest copy) {
    if (!copy.target().name().equals(primaryTarget)) {
      return delegate.send(copy);
    }
    long start = System.nanoTime();
    CompletableFuture<ShadowResponse> sent;
    try {
      sent = delegate.send(new ShadowRequest(copy.policy(), copy.target(), copy.requestId(),
          copy.method(), copy.uri(), copy.headers(), copy.body(), keepAnswerBytes));
    } catch (RuntimeException e) {
      answered.accept(copy.requestId(), Observation.failure("primary", failure(e), -1));
      throw e;
    }
    sent.whenComplete((response, error) -> {
      long nanos = System.nanoTime() - start;
      answered.accept(copy.requestId(), response != null
          ? Observation.answer("primary", response.statusCode(), response.headers(),
              response.body(), response.bodyComplete(), nanos)
          : Observation.failure("primary", failure(error), nanos));
    });
    return sent;
  }

  private static String failure(Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException
        && error.getCause() != null ? error.getCause() : error;
    return cause.getClass().getSimpleName();
  }

  @Override
  public Executor executor() {
    return delegate.executor();
  }

  @Override
  public boolean enforcesTimeouts() {
    return delegate.enforcesTimeouts();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
