package dev.mirror.core.internal.http2;

import dev.mirror.api.MirrorTarget;
import dev.mirror.core.internal.loop.EventLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The HTTP/2 sender's event loop and everything it owns (its pools, by shadow); touched by the
 * loop thread only. Was {@code NioHttp2Transport.Lane}.
 */
public final class Http2Lane implements EventLoop.Driver {

  /** What a pool is made for: a change to any of these is another pool. */
  private record Key(String host, int port, String authority, SSLContext tls,
      long connectTimeoutNanos, long readTimeoutNanos) {}

  private final EventLoop loop;
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
  private final Map<Key, Http2Pool> pools = new HashMap<>();
  /** The pool of each target seen lately, by identity: no key is built per copy. */
  private final Map<MirrorTarget, Http2Pool> byTarget = new IdentityHashMap<>();
  private final List<Http2Connection> dirty = new ArrayList<>();

  public Http2Lane(String name) {
    this.loop = new EventLoop(name, this, true);
  }

  public EventLoop loop() {
    return loop;
  }

  ByteBuffer readBuffer() {
    return readBuffer;
  }

  void dirty(Http2Connection connection) {
    dirty.add(connection);
  }

  public void start(Http2Stream stream) {
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

  public void failAll(Throwable cause) {
    for (Http2Pool pool : new ArrayList<>(pools.values())) {
      pool.failAll(cause);
    }
    pools.clear();
    byTarget.clear();
  }
}
