package dev.mirror.core;

import dev.mirror.api.TransportFullException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The connections of one event loop to one shadow address: idle ones kept alive for reuse (most
 * recently used first), a new one opened when none is idle. There are never more connections than
 * exchanges in flight to the address, which the engine caps per target. Requests of one loop
 * pass share connections, pipelined up to {@value #MAX_DEPTH} deep, as long as the shadow's recent
 * answer times say that the last of them would still be answered within a quarter of its read
 * timeout: one write and one read then serve several copies, the cost that bounds a mirror at
 * full load, while a slow shadow gets one request per connection. Event-loop thread only.
 */
final class Http1Pool {

  /** Most requests pipelined on one connection: {@value}. */
  static final int MAX_DEPTH = 256;
  /** Most requests on one connection while the shadow's speed is still unknown: {@value}. */
  static final int COLD_DEPTH = 4;
  /** Connections a fast shadow gets from one loop before requests are pipelined: {@value}. */
  static final int PIPELINED_CONNECTIONS = 4;
  /**
   * Most connections one loop opens to one shadow: {@value}. Beyond, a copy is pipelined if the
   * shadow answers fast enough, else not sent ({@link TransportFullException}, counted as
   * dropped, and the engine stops handing over copies for that target until one ends): a slow
   * shadow is never flooded with connections (a burst of 100 overflowed a default Jetty accept
   * queue here).
   */
  static final int MAX_CONNECTIONS = 16;
  private final Http1Lane lane;
  private final EventLoop loop;
  private final List<Http1Connection> dirty = new ArrayList<>();
  private long latencyNanos;
  private int samples;
  private final String host;
  private final int port;
  private final ByteBuffer readBuffer;
  private final javax.net.ssl.SSLContext tls;
  private final ArrayDeque<Http1Connection> idle = new ArrayDeque<>();
  private final List<Http1Connection> open = new ArrayList<>();
  private InetSocketAddress address;
  private long resolvedAtNanos;

  /** A pool for one address; {@code tls} is the context for https, or null in the clear. */
  Http1Pool(Http1Lane lane, String host, int port, javax.net.ssl.SSLContext tls,
      ByteBuffer readBuffer) {
    this.lane = lane;
    this.loop = lane.loop();
    this.tls = tls;
    this.host = host;
    this.port = port;
    this.readBuffer = readBuffer;
  }

  EventLoop loop() {
    return loop;
  }

  ByteBuffer readBuffer() {
    return readBuffer;
  }

  /** A TLS session for a new connection, or null for a pool in the clear. */
  TlsSession newTlsSession(java.nio.channels.SocketChannel channel) {
    return tls == null ? null : new TlsSession(tls, host, port, channel);
  }

  /**
   * The shadow's socket address; the name is looked up again after 30 s (the JDK caches the
   * answer too), so a shadow that moves is followed.
   */
  InetSocketAddress address() {
    long now = System.nanoTime();
    if (address == null || address.isUnresolved() || now - resolvedAtNanos > 30_000_000_000L) {
      address = new InetSocketAddress(host, port);
      resolvedAtNanos = now;
    }
    return address;
  }

  /**
   * Sends: pipelined behind requests already going out in this pass when the shadow answers fast
   * enough, else on an idle connection, else on a new one; at the connection limit, pipelined on
   * the least busy connection if its answers would still come in time, else not sent ({@link
   * TransportFullException}).
   */
  void send(Http1Exchange exchange) {
    long now = System.nanoTime();
    Http1Connection connection = choose(exchange.readTimeoutNanos());
    if (connection != null) {
      connection.enqueue(exchange, now);
      return;
    }
    if (open.size() >= MAX_CONNECTIONS) {
      exchange.fail(new TransportFullException("all " + MAX_CONNECTIONS + " connections of this"
          + " loop to the shadow are busy, and its answers are too slow to queue more behind"));
      return;
    }
    InetSocketAddress target = address();
    if (target.isUnresolved()) {
      exchange.fail(new java.net.UnknownHostException("cannot resolve the shadow's host " + host));
      return;
    }
    Http1Connection fresh;
    try {
      fresh = new Http1Connection(this);
    } catch (IOException | RuntimeException e) {
      exchange.fail(e);
      return;
    }
    open.add(fresh);
    fresh.enqueue(exchange, now);
    fresh.connect(target, exchange.connectTimeoutNanos(), now);
  }

  /** An open connection to use, or null for a new one (if the limit allows). */
  private Http1Connection choose(long readTimeoutNanos) {
    boolean known = samples >= 8;
    if (known) {
      for (int i = 0; i < dirty.size(); i++) {
        Http1Connection c = dirty.get(i);
        if (c.open() && mayQueueBehind(c, readTimeoutNanos)) {
          return c;
        }
      }
    }
    Http1Connection c;
    while ((c = idle.pollFirst()) != null) {
      if (c.idle()) {
        return c;
      }
    }
    if (open.size() < (known ? PIPELINED_CONNECTIONS : MAX_CONNECTIONS)) {
      return null;
    }
    Http1Connection least = null;
    for (Http1Connection o : open) {
      if (o.open() && (least == null || o.depth() < least.depth())) {
        least = o;
      }
    }
    if (least != null && (open.size() >= MAX_CONNECTIONS || least.depth() <= 1)
        && mayQueueBehind(least, readTimeoutNanos)) {
      return least;
    }
    return null;
  }

  /**
   * True if a request queued behind what this connection carries would still be answered well
   * within its read timeout, going by how fast the shadow has been answering. Before its first
   * answers the shadow's speed is unknown: once all connections are open, up to {@value
   * #COLD_DEPTH} requests share one, so a burst at start-up is not dropped (a shadow would need
   * over a quarter of the read timeout per answer for the last of them to time out).
   */
  private boolean mayQueueBehind(Http1Connection c, long readTimeoutNanos) {
    if (samples < 8) {
      return c.depth() < COLD_DEPTH;
    }
    return c.depth() < MAX_DEPTH && latencyNanos * (c.depth() + 1) < readTimeoutNanos / 4;
  }

  /**
   * A moving average of the time the shadow takes per answer (a pipelined request's wait is
   * divided among those answered before it).
   */
  void observe(long nanos) {
    latencyNanos = samples == 0 ? nanos : latencyNanos + (nanos - latencyNanos) / 16;
    samples = Math.min(samples + 1, 1_000);
  }

  void markDirty(Http1Connection connection) {
    if (dirty.isEmpty()) {
      lane.poolDirty(this);
    }
    dirty.add(connection);
  }

  /** Writes what this pass queued, one write per connection. */
  void flush() {
    for (int i = 0; i < dirty.size(); i++) {
      dirty.get(i).flush();
    }
    dirty.clear();
  }

  /** A connection got an answer; with nothing left on it, it becomes idle. */
  void answered(Http1Connection connection) {
    if (connection.depth() == 0) {
      idle.remove(connection);
      idle.offerFirst(connection);
    }
  }

  void closed(Http1Connection connection) {
    open.remove(connection);
    idle.remove(connection);
  }

  /**
   * Enforces deadlines and closes connections idle for longer than {@code idleNanos}; returns true
   * if any connection is busy.
   */
  boolean tick(long nowNanos, long idleNanos) {
    boolean busy = false;
    for (int i = open.size() - 1; i >= 0; i--) {
      Http1Connection c = open.get(i);
      if (c.depth() > 0) {
        busy |= c.expireIfDue(nowNanos);
      } else if (nowNanos - c.idleSinceNanos() > idleNanos) {
        c.close();
      }
      i = Math.min(i, open.size()); // a callback may have closed others
    }
    return busy;
  }

  boolean isEmpty() {
    return open.isEmpty();
  }

  /** Fails what is in flight and closes every connection. */
  void closeAll(IOException cause) {
    for (Http1Connection c : new ArrayList<>(open)) {
      c.failAll(cause);
    }
  }
}
