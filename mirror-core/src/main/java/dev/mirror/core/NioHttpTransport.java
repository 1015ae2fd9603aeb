package dev.mirror.core;

import dev.mirror.api.HttpVersion;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.security.NoSuchAlgorithmException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * The default transport: a purpose-built, non-blocking HTTP/1.1 sender on one NIO event loop
 * ({@code mirror-io-N}), with kept-alive connections per shadow.
 *
 * <p>It exists because a copy's cost is mostly the client's: measured here on JDK 17, the JDK
 * {@code HttpClient} spends about 190 µs of CPU per request and crosses several threads, where
 * this sender writes the copy from the thread that prepares it and reads the answer only for its
 * framing and status (see bench/RESULTS.md). The engine prepares copies on this transport's loop
 * ({@link #executor()}), so a copy crosses one thread boundary between the request thread and the
 * socket.
 *
 * <p>What it does: http and https (TLS through the JDK's {@code SSLEngine}, with the target's
 * {@code SSLContext} for a private CA or a client certificate, the host name verified), HTTP/1.1, one exchange per connection at a time, connections reused while
 * the shadow keeps them alive (a {@code Connection: close} answer, an HTTP/1.0 answer or a shadow
 * that closes an idle connection are all followed), a request the shadow closed a reused connection
 * on without answering is sent once more on a new one, bodies of any size skipped without being
 * kept, chunked answers and 1xx interim answers understood, the client's {@code Host} sent as it
 * is. Timeouts: the target's connect timeout for the connection, and its read timeout from the
 * request's first byte to the answer's last. Failures complete the future with a {@link
 * java.net.ConnectException}, {@link java.net.http.HttpConnectTimeoutException}, {@link
 * java.net.http.HttpTimeoutException}, {@link java.net.ProtocolException} (an answer that is not
 * HTTP/1.1) or another {@link IOException}.
 *
 * <p>Copies to targets that ask for HTTP/2 go through the JDK client ({@link HttpTransport}),
 * made the first time one is needed.
 */
public final class NioHttpTransport implements MirrorTransport {

  /** The name this transport is found by: {@value}. */
  public static final String NAME = "nio";

  /** Time an unused kept-alive connection stays open, in seconds: {@value}. */
  public static final long IDLE_TIMEOUT_SECONDS = 30;

  private static final AtomicInteger LOOPS = new AtomicInteger();
  private static final long TICK_MILLIS = 10;
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(IDLE_TIMEOUT_SECONDS);

  private final EventLoop loop;
  private final Map<PoolKey, Http1Pool> pools = new HashMap<>(); // loop thread only
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
  private final Object delegateLock = new Object();
  private volatile HttpTransport delegate;
  private volatile boolean closed;
  private long nextTickNanos;
  private long sleepMillis;

  private NioHttpTransport() {
    this.loop = new EventLoop("mirror-io-" + LOOPS.incrementAndGet(), this::tick);
  }

  /** Returns a new transport with its own event loop thread; close it to stop the thread. */
  public static NioHttpTransport create() {
    return new NioHttpTransport();
  }

  /**
   * The event loop: the engine prepares copies here, and a copy sent from this executor is written
   * at once, without another hand-off.
   */
  @Override
  public Executor executor() {
    return loop;
  }

  @Override
  public boolean enforcesTimeouts() {
    return true;
  }

  @Override
  public CompletableFuture<ShadowResponse> send(ShadowRequest copy) {
    MirrorTarget target = copy.target();
    if (target.httpVersion() == HttpVersion.HTTP_2) {
      return delegate().send(copy);
    }
    CompletableFuture<ShadowResponse> result = new CompletableFuture<>();
    if (loop.inLoop()) {
      start(copy, result);
    } else {
      try {
        loop.execute(() -> start(copy, result));
      } catch (RejectedExecutionException e) {
        result.completeExceptionally(new IOException("the mirror transport is closed"));
      }
    }
    return result;
  }

  private void start(ShadowRequest copy, CompletableFuture<ShadowResponse> result) {
    if (closed) {
      result.completeExceptionally(new IOException("the mirror transport is closed"));
      return;
    }
    MirrorTarget target = copy.target();
    boolean https = target.address().startsWith("https:");
    SSLContext context = https ? target.sslContext() : null;
    PoolKey key = new PoolKey(target.address(), context);
    Http1Pool pool = pools.get(key);
    if (pool == null) {
      URI address = URI.create(target.address());
      try {
        pool = new Http1Pool(loop, address.getHost().replace("[", "").replace("]", ""),
            address.getPort() >= 0 ? address.getPort() : https ? 443 : 80,
            https ? (context != null ? context : SSLContext.getDefault()) : null, readBuffer);
      } catch (NoSuchAlgorithmException e) {
        result.completeExceptionally(new SSLException("no default TLS context", e));
        return;
      }
      pools.put(key, pool);
    }
    Http1Exchange exchange;
    try {
      exchange = new Http1Exchange(copy, target.authority(), result);
    } catch (IllegalArgumentException e) {
      result.completeExceptionally(e);
      return;
    }
    if (sleepMillis != TICK_MILLIS) {
      nextTickNanos = System.nanoTime(); // something is in flight now: watch its deadline
    }
    pool.send(exchange);
  }

  /** Timeouts every 10 ms while something is in flight; idle connections every second. */
  private long tick(long now) {
    if (now - nextTickNanos < 0) {
      return sleepMillis;
    }
    boolean busy = false;
    boolean any = false;
    for (Http1Pool pool : pools.values()) {
      busy |= pool.tick(now, IDLE_NANOS);
      any |= !pool.isEmpty();
    }
    sleepMillis = busy ? TICK_MILLIS : any ? 1_000 : 0;
    nextTickNanos = now + TimeUnit.MILLISECONDS.toNanos(sleepMillis);
    return sleepMillis;
  }

  private HttpTransport delegate() {
    HttpTransport d = delegate;
    if (d == null) {
      synchronized (delegateLock) {
        d = delegate;
        if (d == null) {
          if (closed) {
            throw new IllegalStateException("the mirror transport is closed");
          }
          d = HttpTransport.create();
          delegate = d;
        }
      }
    }
    return d;
  }

  /** Fails what is in flight, closes every connection and stops the loop thread. */
  @Override
  public void close() {
    synchronized (delegateLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    loop.close(() -> {
      IOException cause = new IOException("the mirror transport was closed");
      for (Http1Pool pool : pools.values()) {
        pool.closeAll(cause);
      }
      pools.clear();
    }, 2_000);
    HttpTransport d = delegate;
    if (d != null) {
      d.close();
    }
  }

  /** Connections are shared by targets with the same address and TLS context. */
  private record PoolKey(String address, SSLContext tls) {}

  /** Finds this transport as {@code mirror.transport=nio}, the default. */
  public static final class Provider implements dev.mirror.api.MirrorTransportProvider {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public MirrorTransport create() {
      return NioHttpTransport.create();
    }
  }
}
