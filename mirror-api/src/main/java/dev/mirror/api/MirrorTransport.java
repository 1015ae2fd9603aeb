package dev.mirror.api;

import java.util.concurrent.CompletableFuture;

/**
 * Sends copies: the SPI behind the default HTTP transport, for other ways out (a file, Kafka).
 *
 * <p>{@link #send(ShadowRequest)} must not block: it starts the exchange and returns. The future
 * completes with the shadow's answer, or exceptionally (a {@link java.net.ConnectException}, an
 * {@link java.net.http.HttpTimeoutException}, an {@link javax.net.ssl.SSLException}, another
 * {@link java.io.IOException}), within the target's timeouts. The dispatcher may cancel it. A
 * transport that throws instead is counted as failed, never seen by the primary.
 */
public interface MirrorTransport extends AutoCloseable {

  /** Starts sending one copy to its target. */
  CompletableFuture<ShadowResponse> send(ShadowRequest request);

  /** Releases the transport's resources; called once by the dispatcher that owns it. */
  @Override
  default void close() {}
}
