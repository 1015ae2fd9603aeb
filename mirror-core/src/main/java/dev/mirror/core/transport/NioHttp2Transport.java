package dev.mirror.core.transport;

import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.core.internal.http2.Http2Lane;
import dev.mirror.core.internal.http2.Http2Pool;
import dev.mirror.core.internal.http2.Http2Stream;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A non-blocking HTTP/2 sender on one NIO event loop: each copy is one stream on a connection
 * kept per shadow, cleartext with prior knowledge ({@code h2c}) or TLS with ALPN {@code h2}
 * (the target's {@code SSLContext}, the host name verified as for https). Built for copies to
 * shadows that speak HTTP/2 only, gRPC's first ({@code mirror-grpc} sends through it): a copy
 * costs a few microseconds of this loop's CPU, where a general client's call machinery costs
 * tens (bench/RESULTS.md).
 *
 * <p>What it sends: the copy's method, path and query, {@code :authority} from the target's
 * address, its headers less the connection-specific ones (RFC 9113 §8.2.2; {@code te} only as
 * {@code trailers}), and its body within the shadow's flow-control windows. What it reports:
 * the answer's status, with its headers and trailers together (the body is read for flow
 * control and dropped). A copy fails with a {@link java.net.ConnectException} or {@link
 * java.net.http.HttpConnectTimeoutException} when no connection opens, an {@link
 * java.net.http.HttpTimeoutException} when no answer ends within the target's read timeout (its
 * stream is reset; the connection and other copies go on), a {@link javax.net.ssl.SSLException},
 * or another {@link IOException} (a reset stream, a lost connection, a shadow that went away
 * before taking the copy). Nothing is ever sent twice.
 */
public final class NioHttp2Transport implements MirrorTransport {

  private static final AtomicInteger TRANSPORTS = new AtomicInteger();

  private final Http2Lane lane;
  private volatile boolean closed;

  private NioHttp2Transport(String threadName) {
    this.lane = new Http2Lane(threadName);
  }

  /** A transport whose loop thread is named {@code <name>-N}; close it to stop the thread. */
  public static NioHttp2Transport create(String name) {
    Objects.requireNonNull(name, "name");
    return new NioHttp2Transport(name + "-" + TRANSPORTS.incrementAndGet());
  }

  /** The event loop: a copy prepared there is written without another hand-off. */
  @Override
  public Executor executor() {
    return lane.loop();
  }

  @Override
  public boolean enforcesTimeouts() {
    return true;
  }

  /**
   * {@value dev.mirror.core.internal.http2.Http2Pool#MAX_STREAMS}: the streams one shadow is
   * given at once; copies beyond are turned away before they are prepared.
   */
  @Override
  public int maxInFlight(MirrorTarget target) {
    return Http2Pool.MAX_STREAMS;
  }

  @Override
  public CompletableFuture<ShadowResponse> send(ShadowRequest copy) {
    CompletableFuture<ShadowResponse> result = new CompletableFuture<>();
    Http2Stream stream = new Http2Stream(copy, result);
    if (lane.loop().inLoop()) {
      lane.start(stream);
    } else {
      try {
        lane.loop().execute(() -> lane.start(stream));
      } catch (RejectedExecutionException e) {
        result.completeExceptionally(new IOException("the mirror transport is closed"));
      }
    }
    return result;
  }

  /** True once the loop thread has ended. */
  boolean terminated() {
    return lane.loop().terminated();
  }

  /** Fails what is in flight, closes every connection and stops the loop thread. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    lane.loop().close(() -> lane.failAll(new IOException("the mirror transport is closed")),
        2_000);
  }
}
