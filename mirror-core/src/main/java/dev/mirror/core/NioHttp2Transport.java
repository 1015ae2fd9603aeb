package dev.mirror.core;

import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

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

  private final Lane lane;
  private volatile boolean closed;

  private NioHttp2Transport(String threadName) {
    this.lane = new Lane(threadName);
  }

  /** A transport whose loop thread is named {@code <name>-N}; close it to stop the thread. */
  public static NioHttp2Transport create(String name) {
    Objects.requireNonNull(name, "name");
    return new NioHttp2Transport(name + "-" + TRANSPORTS.incrementAndGet());
  }

  /** The event loop: a copy prepared there is written without another hand-off. */
  @Override
  public Executor executor() {
    return lane.loop;
  }

  @Override
  public boolean enforcesTimeouts() {
    return true;
  }

  @Override
  public CompletableFuture<ShadowResponse> send(ShadowRequest copy) {
    CompletableFuture<ShadowResponse> result = new CompletableFuture<>();
    Http2Stream stream = new Http2Stream(copy, result);
    if (lane.loop.inLoop()) {
      lane.start(stream);
    } else {
      try {
        lane.loop.execute(() -> lane.start(stream));
      } catch (RejectedExecutionException e) {
        result.completeExceptionally(new IOException("the mirror transport is closed"));
      }
    }
    return result;
  }

  /** True once the loop thread has ended. */
  boolean terminated() {
    return lane.loop.terminated();
  }

  /** Fails what is in flight, closes every connection and stops the loop thread. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    lane.loop.close(() -> lane.failAll(new IOException("the mirror transport is closed")), 2_000);
  }

  /** The loop and everything it owns; touched by the loop thread only. */
  static final class Lane implements EventLoop.Driver {

    /** What a pool is made for: a change to any of these is another pool. */
    private record Key(String host, int port, String authority, SSLContext tls,
        long connectTimeoutNanos, long readTimeoutNanos) {}

    private final EventLoop loop;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final Map<Key, Http2Pool> pools = new HashMap<>();
    /** The pool of each target seen lately, by identity: no key is built per copy. */
    private final Map<MirrorTarget, Http2Pool> byTarget = new IdentityHashMap<>();
    private final List<Http2Connection> dirty = new ArrayList<>();

    Lane(String name) {
      this.loop = new EventLoop(name, this, true);
    }

    EventLoop loop() {
      return loop;
    }

    ByteBuffer readBuffer() {
      return readBuffer;
    }

    void dirty(Http2Connection connection) {
      dirty.add(connection);
    }

    void start(Http2Stream stream) {
      Http2Pool pool;
      try {
        pool = pool(stream.request.target());
      } catch (NoSuchAlgorithmException | RuntimeException e) {
        stream.fail(e);
        return;
      }
      pool.send(stream, System.nanoTime());
    }

    private Http2Pool pool(MirrorTarget target) throws NoSuchAlgorithmException {
      Http2Pool pool = byTarget.get(target);
      if (pool != null) {
        return pool;
      }
      String scheme = target.scheme();
      boolean secure = scheme.equals("https") || scheme.equals("grpcs");
      SSLContext tls = secure ? (target.sslContext() != null ? target.sslContext()
          : SSLContext.getDefault()) : null;
      String host = target.host();
      int port = target.port();
      Key key = new Key(host, port, host + ":" + port, tls, target.connectTimeout().toNanos(),
          target.readTimeout().toNanos());
      pool = pools.computeIfAbsent(key, k -> new Http2Pool(this, k.host(), k.port(),
          k.authority(), k.tls(), k.connectTimeoutNanos(), k.readTimeoutNanos()));
      if (byTarget.size() >= 64) {
        byTarget.clear(); // targets of configurations long replaced
      }
      byTarget.put(target, pool);
      return pool;
    }

    @Override
    public long tick(long nowNanos) {
      long next = 0;
      for (Iterator<Http2Pool> i = pools.values().iterator(); i.hasNext(); ) {
        Http2Pool pool = i.next();
        long d = pool.expire(nowNanos);
        if (d != 0 && (next == 0 || d - next < 0)) {
          next = d;
        }
        if (pool.idle()) {
          i.remove(); // no connection left (closed when unused): made again if needed
          byTarget.clear();
        }
      }
      if (next == 0) {
        return 1_000; // nothing to watch: look again now and then
      }
      return Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - nowNanos) + 1);
    }

    @Override
    public void flush() {
      for (int i = 0; i < dirty.size(); i++) {
        dirty.get(i).flush();
      }
      dirty.clear();
    }

    @Override
    public void stopped(Throwable cause) {
      failAll(cause != null ? new IOException("the mirror transport's event loop stopped", cause)
          : new IOException("the mirror transport is closed"));
    }

    void failAll(Throwable cause) {
      for (Http2Pool pool : new ArrayList<>(pools.values())) {
        pool.failAll(cause);
      }
      pools.clear();
      byTarget.clear();
    }
  }
}
