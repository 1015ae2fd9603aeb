package dev.mirror.core.internal.http1;

import dev.mirror.api.MirrorTarget;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.core.internal.loop.EventLoop;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * One event loop of the {@code NioHttpTransport} with the connections it owns: its pools per
 * shadow address, its read buffer, and the timer pass that enforces deadlines. Copies started
 * here stay here until they end.
 */
public final class Http1Lane {

  private static final long TICK_MILLIS = 10;
  /** How often idle connections are looked at, for the shadow's keep-alive timeout. */
  private static final long IDLE_TICK_MILLIS = 100;
  /** Time an unused kept-alive connection stays open, in seconds: {@value}. */
  public static final long IDLE_TIMEOUT_SECONDS = 30;
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(IDLE_TIMEOUT_SECONDS);

  private final EventLoop loop;
  private final Map<PoolKey, Http1Pool> pools = new HashMap<>(); // loop thread only
  private final java.util.List<Http1Pool> dirty = new java.util.ArrayList<>();
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
  private final Http1Counts counts;
  private final boolean pipelining;
  private final int maxConnections;
  private long nextTickNanos;
  private long sleepMillis;
  private boolean closed;

  public Http1Lane(String name, Http1Counts counts, boolean pipelining, int maxConnections) {
    this.counts = counts;
    this.pipelining = pipelining;
    this.maxConnections = maxConnections;
    this.loop = new EventLoop(name, new EventLoop.Driver() {
      @Override
      public long tick(long nowNanos) {
        return Http1Lane.this.tick(nowNanos);
      }

      @Override
      public void flush() {
        Http1Lane.this.flush();
      }

      @Override
      public void stopped(Throwable cause) {
        Http1Lane.this.stopped(cause);
      }
    });
  }

  public EventLoop loop() {
    return loop;
  }

  /** Starts an exchange; on the loop thread only. Completes the future whatever fails. */
  public void start(ShadowRequest copy, CompletableFuture<ShadowResponse> result) {
    try {
      startOrThrow(copy, result);
    } catch (RuntimeException | Error e) {
      result.completeExceptionally(e);
      throw e;
    }
  }

  private void startOrThrow(ShadowRequest copy, CompletableFuture<ShadowResponse> result) {
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
        pool = new Http1Pool(this, address.getHost().replace("[", "").replace("]", ""),
            address.getPort() >= 0 ? address.getPort() : https ? 443 : 80,
            https ? (context != null ? context : SSLContext.getDefault()) : null, readBuffer,
            counts, pipelining, maxConnections, IDLE_NANOS);
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

  void poolDirty(Http1Pool pool) {
    dirty.add(pool);
  }

  /** Writes what this pass of the loop queued: one write per connection. */
  private void flush() {
    for (int i = 0; i < dirty.size(); i++) {
      dirty.get(i).flush();
    }
    dirty.clear();
  }

  /** Timeouts every 10 ms while something is in flight; idle connections every 100 ms. */
  private long tick(long now) {
    if (now - nextTickNanos < 0) {
      return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextTickNanos - now));
    }
    boolean busy = false;
    boolean any = false;
    for (Http1Pool pool : pools.values()) {
      busy |= pool.tick(now);
      any |= !pool.isEmpty();
    }
    sleepMillis = busy ? TICK_MILLIS : any ? IDLE_TICK_MILLIS : 0;
    nextTickNanos = now + TimeUnit.MILLISECONDS.toNanos(sleepMillis);
    return sleepMillis;
  }

  /** The loop ended (closed, or killed by an error): whatever is in flight fails. */
  private void stopped(Throwable cause) {
    closed = true;
    IOException failure = cause == null ? new IOException("the mirror transport was closed")
        : new IOException("the mirror transport's event loop stopped: " + cause, cause);
    for (Http1Pool pool : pools.values()) {
      pool.closeAll(failure);
    }
    pools.clear();
  }

  /** Fails what is in flight, closes every connection and stops the loop thread. */
  public void close(long waitMillis) {
    loop.close(() -> {
      closed = true;
      IOException cause = new IOException("the mirror transport was closed");
      for (Http1Pool pool : pools.values()) {
        pool.closeAll(cause);
      }
      pools.clear();
    }, waitMillis);
  }

  /** Connections are shared by targets with the same address and TLS context. */
  private record PoolKey(String address, SSLContext tls) {}
}
