package dev.mirror.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The connections to one shadow address: idle ones kept alive for reuse (most recently used
 * first), a new one opened when none is idle. There are never more connections than exchanges in
 * flight to the address, which the engine caps per target. Event-loop thread only.
 */
final class Http1Pool {

  private final EventLoop loop;
  private final String host;
  private final int port;
  private final ByteBuffer readBuffer;
  private final javax.net.ssl.SSLContext tls;
  private final ArrayDeque<Http1Connection> idle = new ArrayDeque<>();
  private final List<Http1Connection> open = new ArrayList<>();
  private InetSocketAddress address;
  private long resolvedAtNanos;

  /** A pool for one address; {@code tls} is the context for https, or null in the clear. */
  Http1Pool(EventLoop loop, String host, int port, javax.net.ssl.SSLContext tls,
      ByteBuffer readBuffer) {
    this.loop = loop;
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

  /** Sends on an idle connection, or on a new one. */
  void send(Http1Exchange exchange) {
    long now = System.nanoTime();
    Http1Connection connection;
    while ((connection = idle.pollFirst()) != null) {
      if (connection.reusable()) {
        try {
          connection.start(exchange, now);
        } catch (IOException | RuntimeException e) {
          connection.fail(e);
        }
        return;
      }
    }
    InetSocketAddress target = address();
    if (target.isUnresolved()) {
      exchange.fail(new java.net.UnknownHostException("cannot resolve the shadow's host " + host));
      return;
    }
    Http1Connection fresh;
    try {
      fresh = new Http1Connection(this, exchange, now);
    } catch (IOException | RuntimeException e) {
      exchange.fail(e);
      return;
    }
    open.add(fresh);
    fresh.connect(target, now);
  }

  void release(Http1Connection connection) {
    idle.offerFirst(connection);
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
      if (c.busy()) {
        if (!c.expireIfDue(nowNanos)) {
          busy = true;
        }
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
      c.fail(cause);
    }
  }
}
