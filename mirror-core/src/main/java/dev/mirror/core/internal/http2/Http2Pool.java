package dev.mirror.core.internal.http2;

import dev.mirror.api.TransportFullException;
import dev.mirror.core.internal.loop.EventLoop;
import dev.mirror.core.internal.loop.HostLookup;
import dev.mirror.core.internal.tls.TlsSession;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The HTTP/2 connections to one shadow address (host, port, TLS context and timeouts), on one
 * event loop: copies share a connection as streams, and a second one opens only when a connection
 * holds {@value #STREAMS_PER_CONNECTION} streams or the shadow allows no more.
 */
public final class Http2Pool {

  /** Streams one connection carries before copies go to another: {@value}. */
  static final int STREAMS_PER_CONNECTION = 1000;
  /** Connections to one shadow at most: {@value}. */
  static final int MAX_CONNECTIONS = 4;
  /**
   * Streams open or waiting to one shadow at most, over all its connections: {@value}, the
   * HTTP/1.1 sender's default connection count. Copies beyond it are turned away at once (counted
   * as {@code QUEUE_FULL}) rather than sent: by Little's law this bounds what a slow shadow
   * receives, and so what it costs the primary, to 256 / its answer time (512 copies a second at
   * 0.5 s, where the in-flight cap alone would let 4,096 through), while a shadow answering in
   * 5 ms can still take 50,000 a second.
   */
  public static final int MAX_STREAMS = 256;
  private static final long RESOLVE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final Http2Lane lane;
  private final String host;
  private final int port;
  private final String authority;
  private final SSLContext tls;
  private final long connectTimeoutNanos;
  private final long readTimeoutNanos;
  private final List<Http2Connection> connections = new ArrayList<>(MAX_CONNECTIONS);
  /** Copies that wait for the host's address. */
  private final ArrayDeque<Http2Stream> unresolved = new ArrayDeque<>();
  private InetAddress address;
  private long resolvedAtNanos;
  private boolean resolving;

  Http2Pool(Http2Lane lane, String host, int port, String authority, SSLContext tls,
      long connectTimeoutNanos, long readTimeoutNanos) {
    this.lane = lane;
    this.host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    this.port = port;
    this.authority = authority;
    this.tls = tls;
    this.connectTimeoutNanos = connectTimeoutNanos;
    this.readTimeoutNanos = readTimeoutNanos;
  }

  EventLoop loop() {
    return lane.loop();
  }

  ByteBuffer readBuffer() {
    return lane.readBuffer();
  }

  String authority() {
    return authority;
  }

  long connectTimeoutNanos() {
    return connectTimeoutNanos;
  }

  long readTimeoutNanos() {
    return readTimeoutNanos;
  }

  TlsSession newTlsSession(SocketChannel channel) {
    return tls == null ? null : new TlsSession(tls, host, port, channel, "h2");
  }

  void dirty(Http2Connection connection) {
    lane.dirty(connection);
  }

  /** Streams open or waiting on this pool's connections and for its address. */
  private int load() {
    int load = unresolved.size();
    for (int i = 0; i < connections.size(); i++) {
      load += connections.get(i).load();
    }
    return load;
  }

  /**
   * Sends on a connection with room, else on a new one, else queued on the least loaded; turned
   * away at once when {@value #MAX_STREAMS} streams are open or waiting already.
   */
  void send(Http2Stream stream, long nowNanos) {
    if (load() >= MAX_STREAMS) {
      stream.fail(new TransportFullException(MAX_STREAMS + " streams to the shadow are open or"
          + " waiting already"));
      return;
    }
    place(stream, nowNanos);
  }

  private void place(Http2Stream stream, long nowNanos) {
    Http2Connection least = null;
    for (int i = 0; i < connections.size(); i++) {
      Http2Connection c = connections.get(i);
      if (c.hasRoom()) {
        c.enqueue(stream, nowNanos);
        return;
      }
      if (c.usable() && (least == null || c.load() < least.load())) {
        least = c;
      }
    }
    if (connections.size() < MAX_CONNECTIONS || least == null) {
      open(stream, nowNanos);
    } else {
      least.enqueue(stream, nowNanos);
    }
  }

  /**
   * A copy a connection never wrote (the shadow went away first) goes on another; it was taken
   * under the cap already, so the cap does not turn it away now.
   */
  void reroute(Http2Stream stream) {
    place(stream, System.nanoTime());
  }

  private void open(Http2Stream stream, long nowNanos) {
    if (address == null || nowNanos - resolvedAtNanos > RESOLVE_EVERY_NANOS) {
      if (!resolve(nowNanos)) {
        if (stream.deadlineNanos == 0) {
          stream.deadlineNanos = nowNanos + readTimeoutNanos; // a slow look-up has its time too
        }
        unresolved.addLast(stream);
        return;
      }
    }
    Http2Connection c;
    try {
      c = new Http2Connection(this);
    } catch (IOException | RuntimeException e) {
      stream.fail(e);
      return;
    }
    connections.add(c);
    c.enqueue(stream, nowNanos);
    c.connect(new InetSocketAddress(address, port), nowNanos);
  }

  /** True if the address is known now; else a look-up runs off the loop and sends what waits. */
  private boolean resolve(long nowNanos) {
    if (HostLookup.isLiteral(host)) {
      try {
        address = InetAddress.getByName(host); // parsed, not looked up
        resolvedAtNanos = Long.MAX_VALUE / 2 + nowNanos; // never again
        return true;
      } catch (UnknownHostException e) {
        return false; // not reached for a literal
      }
    }
    if (!resolving) {
      resolving = HostLookup.lookUp(host, loop(),
          all -> resolved(all == null || all.length == 0 ? null : all[0]));
    }
    // A known address serves until the new one arrives.
    return address != null;
  }

  private void resolved(InetAddress found) {
    resolving = false;
    if (found != null) {
      address = found;
      resolvedAtNanos = System.nanoTime();
    }
    Http2Stream s;
    if (address == null) {
      UnknownHostException cause = new UnknownHostException("cannot resolve the shadow's host "
          + host);
      while ((s = unresolved.pollFirst()) != null) {
        s.fail(cause);
      }
      return;
    }
    long now = System.nanoTime();
    while ((s = unresolved.pollFirst()) != null) {
      send(s, now);
    }
  }

  void closed(Http2Connection connection) {
    connections.remove(connection);
  }

  /** Enforces deadlines; returns the earliest one ahead, or 0 if none. */
  long expire(long nowNanos) {
    long next = 0;
    Http2Stream waiting;
    while ((waiting = unresolved.peekFirst()) != null
        && (waiting.done() || nowNanos - waiting.deadlineNanos >= 0)) {
      unresolved.pollFirst();
      waiting.fail(new java.net.http.HttpConnectTimeoutException("the shadow's host " + host
          + " was not resolved within the read timeout"));
    }
    if (waiting != null) {
      next = waiting.deadlineNanos;
    }
    for (int i = connections.size() - 1; i >= 0; i--) {
      if (i >= connections.size()) {
        continue; // one closed while expiring another
      }
      long d = connections.get(i).expire(nowNanos);
      if (d != 0 && (next == 0 || d - next < 0)) {
        next = d;
      }
    }
    return next;
  }

  boolean idle() {
    return connections.isEmpty() && unresolved.isEmpty();
  }

  void failAll(Throwable cause) {
    for (Http2Connection c : new ArrayList<>(connections)) {
      c.fail(cause);
    }
    Http2Stream s;
    while ((s = unresolved.pollFirst()) != null) {
      s.fail(cause);
    }
  }
}
