package dev.mirror.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Sends copies: the SPI behind the default HTTP transport, for other ways out (a file, Kafka).
 *
 * <p><b>Threads.</b> A transport owns whatever threads it starts and stops them in {@link
 * #close()}. {@link #send(ShadowRequest)} is called from the dispatcher's threads, or from {@link
 * #executor()} when the transport offers one; it must not block: no waiting for a connection, a
 * lock held by I/O, DNS beyond a cached lookup, or the answer. It starts the exchange and returns.
 *
 * <p><b>Outcome.</b> The future completes with the shadow's answer, or exceptionally (a {@link
 * java.net.ConnectException}, an {@code java.net.http.HttpTimeoutException}, an {@link
 * javax.net.ssl.SSLException}, another {@link java.io.IOException}, an {@link
 * IllegalArgumentException} for a copy that cannot be sent as it is), within the target's
 * timeouts. A transport without room for the copy completes it with a {@link
 * TransportFullException}: the copy is then counted as dropped, not failed. The dispatcher may cancel it. A transport that throws instead is counted as failed,
 * never seen by the primary.
 *
 * <p>Transports are found by name through {@link java.util.ServiceLoader} and {@link
 * MirrorTransportProvider} ({@code mirror.transport=<name>}).
 */
public interface MirrorTransport extends AutoCloseable {

  /** Starts sending one copy to its target; never blocks. */
  CompletableFuture<ShadowResponse> send(ShadowRequest request);

  /**
   * The executor copies for this transport should be prepared on, or null (the default) for the
   * dispatcher's own threads. A transport with an event loop returns it, so that preparing a copy
   * and writing it to the socket take one hand-off from the request thread; tasks given to it must
   * be short and must not block. It rejects tasks once the transport is closed.
   */
  default Executor executor() {
    return null;
  }

  /**
   * True if every future this transport returns completes within its target's connect plus read
   * timeout on its own, and {@link #close()} completes those still pending; the dispatcher then
   * adds no timer of its own per copy. False (the default) makes the dispatcher cancel a copy at
   * that deadline.
   */
  default boolean enforcesTimeouts() {
    return false;
  }

  /**
   * The most copies to {@code target} this transport can hold at once (sending, or waiting for a
   * connection or a stream) without turning one away; the dispatcher then admits no more than
   * this, nor more than the target's {@link MirrorTarget#maxInFlight()}, so a copy the transport
   * would refuse is turned away on the request thread before it is prepared. Asked once per
   * target and configuration. The default, {@link Integer#MAX_VALUE}, sets no limit of its own.
   */
  default int maxInFlight(MirrorTarget target) {
    return Integer.MAX_VALUE;
  }

  /** Releases the transport's resources; called once by the dispatcher that owns it. */
  @Override
  default void close() {}
}
