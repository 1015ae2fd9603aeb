package dev.mirror.core.transport;

import dev.mirror.api.HttpVersion;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.core.config.ConfigCatalog;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.internal.http1.Http1Counts;
import dev.mirror.core.internal.http1.Http1Lane;
import dev.mirror.core.internal.http1.Http1Pool;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default transport: a purpose-built, non-blocking HTTP/1.1 sender on an NIO event loop
 * ({@code mirror-io-N}), with kept-alive connections per shadow, pipelined while the shadow
 * answers fast.
 *
 * <p>It exists because a copy's cost is mostly the client's: measured here on JDK 17, the JDK
 * {@code HttpClient} spends about 190 µs of CPU per request and crosses several threads, where
 * this sender writes the copy from the thread that prepares it and reads the answer only for its
 * framing and status (see bench/RESULTS.md). The engine prepares copies on this transport's loop
 * ({@link #executor()}), so a copy crosses one thread boundary between the request thread and the
 * socket.
 *
 * <p>What it does: http and https (TLS through the JDK's {@code SSLEngine}, with the target's
 * {@code SSLContext} for a private CA or a client certificate, the host name verified), HTTP/1.1
 * (idempotent copies pipelined where safe, up to 16 deep on a connection to a shadow that answers
 * fast), connections reused while the shadow keeps them alive (a {@code Connection: close} answer,
 * an HTTP/1.0 answer or a shadow that closes an idle connection are all followed), an idempotent
 * request the shadow closed a reused connection on at once without answering is sent once more on a
 * new one (never twice, never a POST), bodies of any size skipped without being kept, chunked
 * answers and 1xx interim answers understood, the client's {@code Host} sent as it is. Timeouts:
 * the target's connect timeout for the connection, and its read timeout from the request's first
 * byte to the answer's last. Failures complete the future with a {@link java.net.ConnectException},
 * {@link java.net.http.HttpConnectTimeoutException}, {@link java.net.http.HttpTimeoutException},
 * {@link java.net.ProtocolException} (an answer that is not HTTP/1.1) or another {@link
 * IOException}.
 *
 * <p>Copies to targets that ask for HTTP/2 go through the JDK client ({@link JdkHttpTransport}),
 * made the first time one is needed.
 */
public final class NioHttpTransport implements MirrorTransport {

  /** The name this transport is found by: {@value}. */
  public static final String NAME = "nio";

  /**
   * Most connections open to one shadow from one event loop, by default and at most: {@value}
   * ({@code mirror.max-connections} may lower it).
   */
  public static final int DEFAULT_MAX_CONNECTIONS = Http1Pool.MAX_CONNECTIONS;

  /** Time an unused kept-alive connection stays open, in seconds: {@value}. */
  public static final long IDLE_TIMEOUT_SECONDS = Http1Lane.IDLE_TIMEOUT_SECONDS;

  /**
   * Its setting {@code pipelining} ({@code mirror.pipelining}): {@code false} sends every copy on
   * a connection of its own at a time.
   */
  public static final String PIPELINING = "pipelining";

  /**
   * Its setting {@code max-connections} ({@code mirror.max-connections}): most connections open
   * to one shadow, at most {@value #DEFAULT_MAX_CONNECTIONS} (the default).
   */
  public static final String MAX_CONNECTIONS = "max-connections";

  private static final AtomicInteger TRANSPORTS = new AtomicInteger();

  private final Http1Lane[] lanes;
  private final Http1Counts counts = new Http1Counts();
  private final Executor executor;
  private final Object delegateLock = new Object();
  private volatile JdkHttpTransport delegate;
  private volatile boolean closed;

  private NioHttpTransport(int loops, boolean pipelining, int maxConnections) {
    int id = TRANSPORTS.incrementAndGet();
    this.lanes = new Http1Lane[loops];
    for (int i = 0; i < loops; i++) {
      lanes[i] = new Http1Lane("mirror-io-" + id + (loops == 1 ? "" : "-" + (i + 1)), counts,
          pipelining, maxConnections);
    }
    this.executor = task -> lane().loop().execute(task);
  }

  /**
   * Returns a new transport with one event loop; close it to stop the thread. One loop is the
   * default because a copy costs it a few microseconds (requests to a fast shadow are pipelined,
   * so one write and one read serve several): measured at full load on 2 cores, a second loop
   * delivered no more copies and cost the primary more CPU per copy (bench/RESULTS.md).
   */
  public static NioHttpTransport create() {
    return new NioHttpTransport(1, true, Http1Pool.MAX_CONNECTIONS);
  }

  /**
   * Returns a new transport with this many event loops.
   *
   * @throws IllegalArgumentException if loops is not in [1, 64]
   */
  public static NioHttpTransport create(int loops) {
    return create(loops, true, Http1Pool.MAX_CONNECTIONS);
  }

  /**
   * Returns a new transport with this many event loops that pipelines idempotent copies to fast
   * shadows that keep connections if {@code pipelining} is true, and never if false.
   *
   * @throws IllegalArgumentException if loops is not in [1, 64]
   */
  public static NioHttpTransport create(int loops, boolean pipelining) {
    return create(loops, pipelining, Http1Pool.MAX_CONNECTIONS);
  }

  /**
   * Returns a new transport as {@link #create(int, boolean)} does that opens at most {@code
   * maxConnections} connections to each shadow (per event loop); copies no connection can take
   * wait for one up to their connect timeout, then are dropped as not sent.
   *
   * @throws IllegalArgumentException if loops is not in [1, 64] or maxConnections not in [1,
   *     {@value #DEFAULT_MAX_CONNECTIONS}]
   */
  public static NioHttpTransport create(int loops, boolean pipelining, int maxConnections) {
    if (loops < 1 || loops > 64) {
      throw new IllegalArgumentException("loops: was " + loops + ", must be in [1, 64]");
    }
    if (maxConnections < 1 || maxConnections > Http1Pool.MAX_CONNECTIONS) {
      throw new IllegalArgumentException("maxConnections: was " + maxConnections
          + ", must be in [1, " + Http1Pool.MAX_CONNECTIONS + "]");
    }
    return new NioHttpTransport(loops, pipelining, maxConnections);
  }

  /** Copies sent a second time because their connection ended before any byte of an answer. */
  public long resends() {
    return counts.resends();
  }

  /** The loop the calling thread hands its next copy to: spread at random, never contended. */
  private Http1Lane lane() {
    return lanes.length == 1 ? lanes[0]
        : lanes[java.util.concurrent.ThreadLocalRandom.current().nextInt(lanes.length)];
  }

  /** The lane whose loop is the calling thread, or null. */
  private Http1Lane current() {
    for (Http1Lane lane : lanes) {
      if (lane.loop().inLoop()) {
        return lane;
      }
    }
    return null;
  }

  /**
   * The event loops: the engine prepares copies there, and a copy sent from a loop is written at
   * once, without another hand-off.
   */
  @Override
  public Executor executor() {
    return executor;
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
    if (target.httpVersion() == HttpVersion.H2C) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("http version: was h2c,"
          + " must be HTTP/1.1 or HTTP/2 for this transport (h2c comes with the Jetty transport)"));
    }
    CompletableFuture<ShadowResponse> result = new CompletableFuture<>();
    Http1Lane here = current();
    if (here != null) {
      here.start(copy, result);
    } else {
      Http1Lane lane = lane();
      try {
        lane.loop().execute(() -> lane.start(copy, result));
      } catch (RejectedExecutionException e) {
        result.completeExceptionally(new IOException("the mirror transport is closed"));
      }
    }
    return result;
  }

  /** True once every loop thread has ended. */
  boolean terminated() {
    for (Http1Lane lane : lanes) {
      if (!lane.loop().terminated()) {
        return false;
      }
    }
    return true;
  }

  private JdkHttpTransport delegate() {
    JdkHttpTransport d = delegate;
    if (d == null) {
      synchronized (delegateLock) {
        d = delegate;
        if (d == null) {
          if (closed) {
            throw new IllegalStateException("the mirror transport is closed");
          }
          d = JdkHttpTransport.create();
          delegate = d;
        }
      }
    }
    return d;
  }

  /** Fails what is in flight, closes every connection and stops the loop threads. */
  @Override
  public void close() {
    synchronized (delegateLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    for (Http1Lane lane : lanes) {
      lane.close(2_000);
    }
    JdkHttpTransport d = delegate;
    if (d != null) {
      d.close();
    }
  }

  /** Finds this transport as {@code mirror.transport=nio}, the default. */
  public static final class Provider implements dev.mirror.api.MirrorTransportProvider {

    /** Made by {@link java.util.ServiceLoader}. */
    public Provider() {}

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public MirrorTransport create() {
      return NioHttpTransport.create();
    }

    /**
     * Takes {@code pipelining} ({@code mirror.pipelining}, true or false) and {@code
     * max-connections} ({@code mirror.max-connections}).
     */
    @Override
    public MirrorTransport create(java.util.Map<String, String> settings) {
      boolean pipelining = true;
      int maxConnections = Http1Pool.MAX_CONNECTIONS;
      for (java.util.Map.Entry<String, String> e : settings.entrySet()) {
        // The catalog's own keys and rules, so that a value means here what it means there.
        String key = "mirror." + NAME + "." + e.getKey();
        if (e.getKey().equals(PIPELINING)) {
          pipelining = ConfigCatalog.PIPELINING.parse(key, e.getValue().trim());
        } else if (e.getKey().equals(MAX_CONNECTIONS)) {
          maxConnections = ConfigCatalog.MAX_CONNECTIONS.parse(key, e.getValue().trim());
        } else {
          throw new MirrorConfigException(key, "is not a setting of the nio transport (its"
              + " settings are mirror.pipelining and mirror.max-connections)");
        }
      }
      return new NioHttpTransport(1, pipelining, maxConnections);
    }
  }
}
