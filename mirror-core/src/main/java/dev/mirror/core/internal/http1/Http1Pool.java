package dev.mirror.core.internal.http1;

import dev.mirror.api.TransportFullException;
import dev.mirror.core.internal.loop.EventLoop;
import dev.mirror.core.internal.loop.HostLookup;
import dev.mirror.core.internal.tls.TlsSession;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The connections of one event loop to one shadow address, and the decision of where each copy
 * goes: an idle kept-alive connection (most recently used first), a new one, or, for an idempotent
 * copy to a fast shadow that has shown it keeps connections, pipelined behind requests already on
 * a connection. Event-loop thread only.
 *
 * <p>Pipelining (RFC 9112 section 9.3.2) is what lets one write and one read serve several copies
 * at full load, so it is used where it is safe only: for idempotent methods (RFC 9110 section
 * 9.2.2), never for a resend, never behind a non-idempotent request or an answer that is already
 * late, never to a shadow before a connection of its carried a second request, never to one that
 * answers HTTP/1.0 or closes after its first answer, and not for 10 s after a connection
 * ended with pipelined requests unanswered or an answer was far later than usual (a shadow with
 * a slow tail gets one request per connection, so a slow answer fails only itself). {@code
 * mirror.pipelining=false} turns it off.
 *
 * <p>The shadow's name is looked up off the loop thread (all its addresses, tried in turn when a
 * connection fails), again every 30 s in the background. A copy no connection can take now (the
 * name is being looked up, {@value #MAX_CONNECTING} connections are being opened, or all {@value
 * #MAX_CONNECTIONS} are busy) waits for one up to its connect timeout, then is dropped ({@link
 * TransportFullException}): nothing of it was sent.
 */
public final class Http1Pool {

  /**
   * Answers one connection must have carried, one at a time and still open, before anything is
   * pipelined while the shadow's cap of requests per connection is unknown: {@value}. A shadow
   * that closes after N answers (Tomcat's and Apache's default is 100, NGINX's 1,000, a gunicorn
   * worker's max_requests) then loses, at its first close on each loop, what was pipelined behind
   * it on the connections it closes (failed, never sent again), and is never pipelined past N
   * afterwards: N is learnt from that close, announced ({@code Connection: close}) or not. A
   * shadow that never closes (Jetty, Undertow, Netty, Envoy, HAProxy by default) is pipelined to
   * as deep as it is fast ({@link #MAX_DEPTH}). Bounding the depth by the most answers a
   * connection carried instead left the connection that had served the most unable to pipeline,
   * and the others only as far as they lagged behind it: next to none against a shadow that
   * never closes (bench/RESULTS.md section 11, the sender comparison).
   */
  public static final int UNCAPPED_AFTER = 100;

  /** Most requests pipelined on one connection: {@value}. */
  static final int MAX_DEPTH = 16;
  /** Connections a fast shadow gets from one loop before requests are pipelined: {@value}. */
  public static final int PIPELINED_CONNECTIONS = 8;
  /**
   * Most connections one loop opens to one shadow by default, and the most {@code
   * mirror.max-connections} allows: {@value}. Beyond, a copy is pipelined if it may be, else it
   * waits for a connection (see {@link #send}).
   */
  public static final int MAX_CONNECTIONS = 256;
  /**
   * Most connections being opened at once: {@value}, so that a burst never floods a shadow's
   * accept queue (a burst of 100 overflowed a default Jetty accept queue here).
   */
  public static final int MAX_CONNECTING = 32;
  /**
   * Most copies waiting for a connection: {@value}, the engine's default in-flight cap (a burst of
   * POSTs, which are not pipelined, waits for connections instead of being dropped).
   */
  public static final int MAX_WAITING = 2048;
  /**
   * How long pipelining stays off after a connection ended with pipelined requests lost, or an
   * answer came late: {@value} ns.
   */
  static final long SUSPEND_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long RESOLVE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** An answer time older than this no longer bounds how many copies wait: {@value} s. */
  static final long STALE_SAMPLE_SECONDS = 5;
  /** An answer this late (or twice the usual wait) takes nothing more behind it. */
  private static final long MIN_LATE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  /**
   * An answer this late, or later than an eighth of its read timeout or 4 times the usual wait,
   * shows a slow tail: pipelining stops at once, not only when a read timeout passes (and not for
   * the few milliseconds a busy machine's scheduling costs).
   */
  private static final long MIN_SLOW_TAIL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final Http1Lane lane;
  private final EventLoop loop;
  private final Http1Counts counts;
  private final boolean pipelining;
  /** Most connections to this shadow ({@code mirror.max-connections}). */
  private final int maxConnections;
  private final long idleNanos;
  private final List<Http1Connection> dirty = new ArrayList<>();
  private final ArrayDeque<Http1Exchange> waiting = new ArrayDeque<>();
  private long latencyNanos;
  private int samples;
  /** When {@link #latencyNanos} last learnt from an answer. */
  private long sampledAtNanos;
  private final String host;
  private final int port;
  private final ByteBuffer readBuffer;
  private final javax.net.ssl.SSLContext tls;
  private final ArrayDeque<Http1Connection> idle = new ArrayDeque<>();
  private final List<Http1Connection> open = new ArrayList<>();
  private int connecting;
  /** The most answers a connection was seen to carry and stay open. */
  private int provenServed;
  /** Answers the shadow gives on one connection before it closes it, as learnt; else MAX. */
  private int requestsPerConnection = Integer.MAX_VALUE;
  /** The most connections for now; below the maximum after the shadow refused more. */
  private int ceiling;
  private long ceilingUntil;
  private boolean draining;
  /** True once a connection carried a second request and stayed open. */
  private boolean keepsConnections;
  private long pipeliningSuspendedUntil;
  private boolean suspended;
  private InetAddress[] addresses;
  private int preferred;
  private long resolvedAtNanos;
  private boolean resolving;

  /** A pool for one address; {@code tls} is the context for https, or null in the clear. */
  Http1Pool(Http1Lane lane, String host, int port, javax.net.ssl.SSLContext tls,
      ByteBuffer readBuffer, Http1Counts counts, boolean pipelining, int maxConnections,
      long idleNanos) {
    this.lane = lane;
    this.loop = lane.loop();
    this.tls = tls;
    this.host = host;
    this.port = port;
    this.readBuffer = readBuffer;
    this.counts = counts;
    this.pipelining = pipelining;
    this.maxConnections = maxConnections;
    this.ceiling = maxConnections;
    this.idleNanos = idleNanos;
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
   * Sends: pipelined behind requests already going out when that is safe and the shadow answers
   * fast enough, else on an idle connection, else on a new one, else (while connections are being
   * opened) after waiting for one; if none of these, not sent ({@link TransportFullException}).
   */
  void send(Http1Exchange exchange) {
    long now = System.nanoTime();
    if (addresses == null || now - resolvedAtNanos > RESOLVE_EVERY_NANOS) {
      resolve(now);
      if (addresses == null) {
        await(exchange, now);
        return;
      }
    }
    if (!place(exchange, now)) {
      await(exchange, now);
    }
  }

  /** Puts the exchange on a connection; false if none can take it now. */
  private boolean place(Http1Exchange exchange, long now) {
    boolean pipeline = exchange.pipelinable() && pipeliningNow(now);
    Http1Connection connection = choose(pipeline, exchange.readTimeoutNanos(), now);
    if (connection != null) {
      connection.enqueue(exchange, now);
      return true;
    }
    if (open.size() >= maxConnections(now) || connecting >= MAX_CONNECTING) {
      return false;
    }
    Http1Connection fresh;
    try {
      fresh = new Http1Connection(this, idleNanos);
    } catch (IOException | RuntimeException e) {
      exchange.fail(e);
      return true;
    }
    open.add(fresh);
    connecting++;
    fresh.enqueue(exchange, now);
    fresh.connect(new InetSocketAddress(addresses[preferred], port),
        exchange.connectTimeoutNanos(), now);
    return true;
  }

  /** Fails a copy no connection could take: dropped, as nothing of it was sent. */
  private void refuse(Http1Exchange exchange, String why) {
    if (exchange.resent()) {
      // It went out once: it is a failure after being written, not a copy that was not sent.
      exchange.fail(new IOException("the connection ended before the answer, and " + why
          + " to send it once more"));
    } else {
      exchange.fail(new TransportFullException(why));
    }
  }

  /**
   * Why a copy is turned away at the waiting bound: one string, not one built per refusal on the
   * loop (a slow shadow has thousands a second).
   */
  private static final String SERVED_WITHIN_REFUSAL = "as many copies wait for a connection"
      + " already as the connections serve within the connect timeout, at the shadow's usual"
      + " answer time";

  private void await(Http1Exchange exchange, long now) {
    if (waiting.size() >= MAX_WAITING) {
      refuse(exchange, MAX_WAITING + " copies wait for a connection to the shadow already");
      return;
    }
    long connectTimeout = exchange.connectTimeoutNanos();
    if (waiting.size() >= servedWithin(connectTimeout, now)) {
      refuse(exchange, SERVED_WITHIN_REFUSAL);
      return;
    }
    exchange.waitUntil(now + connectTimeout);
    waiting.add(exchange);
  }

  /**
   * How many waiting copies the connections serve within {@code nanos}, by the shadow's usual
   * answer time (Little's law, one request per connection at a time): a copy beyond would wait
   * its whole connect timeout and be dropped then, having held its room and memory for nothing.
   * A 0.5 s shadow served by 256 connections lets 512 wait for a 1 s connect timeout; a shadow
   * answering in a few milliseconds lets {@value #MAX_WAITING}. Unbounded until answers are
   * seen, and again when none came for {@value #STALE_SAMPLE_SECONDS} s (a shadow slow long ago
   * may be fast now).
   */
  private long servedWithin(long nanos, long now) {
    if (samples == 0 || latencyNanos <= 0
        || now - sampledAtNanos > TimeUnit.SECONDS.toNanos(STALE_SAMPLE_SECONDS)) {
      return MAX_WAITING;
    }
    return Math.max(1, nanos * Math.max(1, ceiling) / latencyNanos);
  }

  /** Sends what waits for a connection, as far as connections allow. */
  void drainWaiting() {
    if (draining || waiting.isEmpty() || addresses == null) {
      return;
    }
    draining = true;
    try {
      long now = System.nanoTime();
      Http1Exchange next;
      while ((next = waiting.peekFirst()) != null && place(next, now)) {
        waiting.pollFirst();
      }
    } finally {
      draining = false;
    }
  }

  /** Looks the host up on another thread, unless it is an address already. */
  private void resolve(long now) {
    if (resolving) {
      return;
    }
    if (HostLookup.isLiteral(host)) {
      try {
        addresses = new InetAddress[] {InetAddress.getByName(host)}; // parsed, not looked up
      } catch (UnknownHostException e) {
        addresses = null;
      }
      resolvedAtNanos = Long.MAX_VALUE / 2 + now; // never again
      return;
    }
    resolving = HostLookup.lookUp(host, loop, this::resolved);
  }

  private void resolved(InetAddress[] found) {
    resolving = false;
    resolvedAtNanos = System.nanoTime();
    if (found != null && found.length > 0) {
      addresses = found;
      preferred = 0;
      drainWaiting();
    } else if (addresses == null) {
      UnknownHostException cause = new UnknownHostException("cannot resolve the shadow's host "
          + host);
      Http1Exchange e;
      while ((e = waiting.pollFirst()) != null) {
        e.fail(cause);
      }
    }
    // else: the last known addresses are kept, and looked up again in 30 s
  }

  /** An open connection to use, or null for a new one (if the limits allow). */
  private Http1Connection choose(boolean pipeline, long readTimeoutNanos, long now) {
    if (pipeline) {
      for (int i = 0; i < dirty.size(); i++) {
        Http1Connection c = dirty.get(i);
        if (mayQueueBehind(c, readTimeoutNanos, now)) {
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
    if (!pipeline) {
      return null;
    }
    if (open.size() < Math.min(PIPELINED_CONNECTIONS, maxConnections(now))
        && connecting < MAX_CONNECTING) {
      return null;
    }
    // Beyond the first connections, an idempotent copy goes behind the least busy one that may
    // take it rather than on a new connection: connections cost the shadow more than depth.
    Http1Connection least = null;
    for (Http1Connection o : open) {
      if (o.acceptsPipelined() && (least == null || o.depth() < least.depth())
          && mayQueueBehind(o, readTimeoutNanos, now)) {
        least = o;
      }
    }
    return least;
  }

  private boolean pipeliningNow(long now) {
    if (!pipelining || !keepsConnections || samples < 8) {
      return false;
    }
    if (suspended) {
      if (now - pipeliningSuspendedUntil < 0) {
        return false;
      }
      suspended = false;
    }
    return true;
  }

  /**
   * True if a request queued behind what this connection carries would still be answered well
   * within its read timeout, going by how fast the shadow has been answering, and the answer
   * being waited for there is not late already.
   */
  private boolean mayQueueBehind(Http1Connection c, long readTimeoutNanos, long now) {
    if (!c.acceptsPipelined() || c.depth() >= MAX_DEPTH
        || c.served() + c.depth() + 1 >= requestsPerConnection
        || requestsPerConnection == Integer.MAX_VALUE && provenServed < UNCAPPED_AFTER) {
      return false;
    }
    long late = Math.max(MIN_LATE_NANOS, 2 * latencyNanos);
    return now - c.headStartedNanos(now) < late
        && latencyNanos * (c.depth() + 1) < readTimeoutNanos / 4;
  }

  /**
   * Called for each answer waited for: if it is far later than the shadow's usual, the shadow has
   * a slow tail, and pipelining stops before more copies are put behind such an answer.
   */
  void headWaiting(long headAgeNanos, long readTimeoutNanos) {
    if (!suspended && headAgeNanos > Math.max(readTimeoutNanos / 8,
        Math.max(MIN_SLOW_TAIL_NANOS, 4 * latencyNanos))) {
      suspendPipelining(System.nanoTime());
    }
  }

  /**
   * A moving average of the time the shadow takes per answer (a pipelined request's wait is
   * divided among those answered before it).
   */
  void observe(long nanos, long now) {
    latencyNanos = samples == 0 ? nanos : latencyNanos + (nanos - latencyNanos) / 16;
    samples = Math.min(samples + 1, 1_000);
    sampledAtNanos = now;
  }

  /**
   * Learns from an answer whether the shadow keeps connections: one that carried a second request
   * and stays open says yes; an HTTP/1.0 answer that closes, or a close after the first answer,
   * says no; a close after more answers says how many it serves per connection. Returns true if
   * that number is new (smaller than what was known).
   */
  boolean learn(boolean http10, boolean keepAlive, int served, long now) {
    if (keepAlive) {
      if (served >= 2 && !keepsConnections) {
        keepsConnections = true;
      }
      if (served > provenServed) {
        provenServed = served;
      }
    } else if (http10 || served == 1) {
      keepsConnections = false;
    } else if (served < requestsPerConnection) {
      // A shadow that closes after so many answers (NGINX's keepalive_requests, Node's and
      // Tomcat's caps): nothing is pipelined past that, so no copy is left behind the close.
      requestsPerConnection = served;
      return true;
    }
    return false;
  }

  /**
   * A connection ended with pipelined requests lost, or an answer came later than its read
   * timeout: no pipelining for a while, and not before a connection carried a second request
   * again.
   */
  void suspendPipelining(long now) {
    keepsConnections = false;
    suspended = true;
    pipeliningSuspendedUntil = now + SUSPEND_NANOS;
  }

  /** An exchange nothing of which was written goes to another connection; not a resend. */
  void move(Http1Exchange exchange) {
    exchange.rewind();
    exchange.mayWaitAgain();
    send(exchange);
  }

  /**
   * True if the connection of this exchange ended about as soon as it went out: within 10 ms or
   * twice the shadow's usual answer time (the shadow had closed it already, the stale-connection
   * race), rather than while it may have been processing the copy.
   */
  boolean endedAtOnce(Http1Exchange exchange) {
    return System.nanoTime() - exchange.startedNanos()
        < Math.max(TimeUnit.MILLISECONDS.toNanos(10), 2 * latencyNanos);
  }

  /**
   * An exchange that went out and cannot have been processed (the stale-connection race) goes to
   * another connection, alone.
   */
  void resend(Http1Exchange exchange) {
    counts.resent();
    exchange.mayWaitAgain();
    send(exchange);
  }

  /**
   * A connection could not be opened: nothing of its requests went out, so they try the shadow's
   * next address if it has one they did not try, else fail with the cause.
   */
  void connectFailed(Http1Exchange[] exchanges, Throwable cause) {
    long now = System.nanoTime();
    int established = open.size() - connecting;
    if (established > 0) {
      // The shadow answers on the connections it has, and took no more (its accept queue is
      // full): no more connections for a while, and these copies wait for one of those.
      ceiling = Math.max(1, established);
      ceilingUntil = now + SUSPEND_NANOS;
      for (Http1Exchange exchange : exchanges) {
        exchange.rewind();
        await(exchange, now);
      }
      drainWaiting();
      return;
    }
    int known = addresses == null ? 1 : addresses.length;
    if (known > 1) {
      preferred = (preferred + 1) % known;
    }
    for (Http1Exchange exchange : exchanges) {
      if (exchange.connectAttempt() < known && !(cause instanceof HttpConnectTimeoutException)) {
        exchange.rewind();
        send(exchange);
      } else {
        exchange.fail(cause);
      }
    }
  }

  /** Most connections now: {@code maxConnections}, or fewer after the shadow refused more. */
  private int maxConnections(long now) {
    if (ceiling < maxConnections && now - ceilingUntil >= 0) {
      ceiling = maxConnections;
    }
    return ceiling;
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

  /**
   * A connection got an answer; with nothing left on it, it becomes idle. Either way there may be
   * room for what waits.
   */
  void answered(Http1Connection connection) {
    if (connection.depth() == 0) {
      idle.remove(connection);
      idle.offerFirst(connection);
    }
    drainWaiting();
  }

  void connectingEnded(Http1Connection connection) {
    connecting--;
  }

  void closed(Http1Connection connection, boolean wasConnecting) {
    if (wasConnecting) {
      connecting--;
    }
    open.remove(connection);
    idle.remove(connection);
    drainWaiting();
  }

  /**
   * Enforces deadlines and closes connections idle for longer than their limit; returns true if
   * anything is in flight or waiting.
   */
  boolean tick(long nowNanos) {
    drainWaiting(); // limits may have lapsed (a connection ceiling, a pause in pipelining)
    if (!waiting.isEmpty()) {
      // Mostly in deadline order, but one that waited again keeps its first deadline: all are
      // looked at (at most MAX_WAITING, every 10 ms), and refused after the scan.
      List<Http1Exchange> expired = null;
      for (java.util.Iterator<Http1Exchange> it = waiting.iterator(); it.hasNext(); ) {
        Http1Exchange w = it.next();
        if (nowNanos - w.waitDeadlineNanos() >= 0) {
          it.remove();
          (expired == null ? expired = new ArrayList<>() : expired).add(w);
        }
      }
      if (expired != null) {
        for (Http1Exchange w : expired) {
          refuse(w, "no connection to the shadow was free within the connect timeout ("
              + TimeUnit.NANOSECONDS.toMillis(w.connectTimeoutNanos()) + " ms)");
        }
      }
    }
    boolean busy = !waiting.isEmpty();
    for (int i = open.size() - 1; i >= 0; i--) {
      Http1Connection c = open.get(i);
      if (c.depth() > 0) {
        busy |= c.expireIfDue(nowNanos);
      } else if (nowNanos - c.idleSinceNanos() > c.idleLimitNanos()) {
        c.close();
      }
      i = Math.min(i, open.size()); // a callback may have closed others
    }
    return busy;
  }

  boolean isEmpty() {
    return open.isEmpty() && waiting.isEmpty();
  }

  /** Fails what is in flight or waiting and closes every connection. */
  void closeAll(IOException cause) {
    Http1Exchange w;
    while ((w = waiting.pollFirst()) != null) {
      w.fail(cause);
    }
    for (Http1Connection c : new ArrayList<>(open)) {
      c.failAll(cause);
    }
    waiting.clear();
  }
}
