package dev.mirror.core.internal.http1;

import dev.mirror.api.ShadowResponse;
import dev.mirror.core.internal.loop.EventLoop;
import dev.mirror.core.internal.tls.TlsSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.StandardSocketOptions;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * One kept-alive HTTP/1.1 connection to a shadow. It carries its exchanges in order: usually one
 * at a time; to a fast shadow that keeps connections, several idempotent ones pipelined (RFC 9112
 * section 9.3.2: written back to back, answered in order), so that one write and one read serve
 * many copies. The pool decides what goes where ({@link Http1Pool}); requests queued during one
 * pass of the event loop go out in one write at its end. Event-loop thread only.
 *
 * <p>What happens to a copy when something goes wrong here, so that no copy reaches the shadow
 * twice:
 *
 * <ul>
 *   <li>Its read timeout passes: it fails alone. The connection stays open while copies behind
 *       it are waited for, and its answer, if it comes, is read and dropped; once nothing on the
 *       connection is waited for, the connection is closed.
 *   <li>The connection ends (closed or reset) before its answer: a copy not written yet goes to
 *       another connection as it is (not a resend); a written idempotent copy is resent once
 *       only in the stale-connection race (written alone onto a reused idle connection that
 *       ended before any byte of an answer, about as soon as it went out); anything else that
 *       was written fails. A non-idempotent copy that was written is never resent.
 *   <li>The shadow announces the end ({@code Connection: close}, or an HTTP/1.0 answer): those
 *       pipelined behind fail and are never resent. RFC 9112 section 9.6 says they were not
 *       processed, but real servers (Node) run the handler of every request already read.
 *   <li>Its deadline passes before any byte of it was written: it is taken out of the queue
 *       and never written later.
 * </ul>
 */
public final class Http1Connection implements EventLoop.Handler {

  private enum State { CONNECTING, HANDSHAKING, OPEN, CLOSED }

  /** An answer body longer than this, that nothing keeps, is not read: {@value} bytes. */
  public static final long SKIP_BODY_BYTES = 1 << 20;

  private final Http1Pool pool;
  private final SocketChannel channel;
  private final SelectionKey key;
  /** TLS for https shadows; null in the clear. */
  private final TlsSession tls;
  private final Http1ResponseParser parser = new Http1ResponseParser();
  /** Exchanges on this connection, oldest first: the first is the one being answered. */
  private final ArrayDeque<Http1Exchange> exchanges = new ArrayDeque<>();
  /** Bytes to write, in order: {@code out[outStart..outEnd)}, two buffers per exchange. */
  private ByteBuffer[] out = new ByteBuffer[8];
  private int outStart;
  private int outEnd;
  private State state = State.CONNECTING;
  private boolean parsing;
  private boolean dirty;
  private boolean writeBlocked;
  private long connectDeadlineNanos;
  private long idleSinceNanos;
  /** How long this connection may stay idle: the shadow's Keep-Alive timeout, less a margin. */
  private long idleLimitNanos;
  private int served;
  /** Exchanges here that nothing may be pipelined behind: non-idempotent, resent or abandoned. */
  private int blockers;

  /** Opens a socket; {@link #connect} starts the connection. */
  Http1Connection(Http1Pool pool, long idleLimitNanos) throws IOException {
    this.pool = pool;
    this.idleLimitNanos = idleLimitNanos;
    SocketChannel ch = SocketChannel.open();
    try {
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      this.channel = ch;
      this.key = ch.register(pool.loop().selector(), 0, this);
      this.tls = pool.newTlsSession(ch);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Starts connecting within the connect timeout; a failure goes back to the pool. */
  void connect(InetSocketAddress address, long connectTimeoutNanos, long nowNanos) {
    connectDeadlineNanos = nowNanos + connectTimeoutNanos;
    try {
      if (channel.connect(address)) {
        connected(nowNanos);
      } else {
        key.interestOps(SelectionKey.OP_CONNECT);
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  private void connected(long nowNanos) throws IOException {
    if (tls == null) {
      opened(nowNanos);
    } else {
      state = State.HANDSHAKING; // still under the connect timeout
      handshake(nowNanos);
    }
  }

  private void handshake(long nowNanos) throws IOException {
    switch (tls.handshake()) {
      case NONE -> opened(nowNanos);
      case READ -> key.interestOps(SelectionKey.OP_READ);
      case WRITE -> key.interestOps(SelectionKey.OP_WRITE);
      default -> throw new AssertionError();
    }
  }

  private void opened(long nowNanos) throws IOException {
    state = State.OPEN;
    pool.connectingEnded(this);
    // The read timeout of what waited for the connection starts now.
    for (Http1Exchange exchange : exchanges) {
      exchange.startClock(nowNanos);
    }
    key.interestOps(SelectionKey.OP_READ);
    flush();
    pool.drainWaiting();
  }

  boolean connecting() {
    return state == State.CONNECTING || state == State.HANDSHAKING;
  }

  /** Exchanges queued or in flight here. */
  int depth() {
    return exchanges.size();
  }

  /** True if open with nothing in flight: reusable at once. */
  boolean idle() {
    return state == State.OPEN && exchanges.isEmpty();
  }

  boolean open() {
    return state != State.CLOSED;
  }

  long idleSinceNanos() {
    return idleSinceNanos;
  }

  /** Answers read on this connection. */
  int served() {
    return served;
  }

  long idleLimitNanos() {
    return idleLimitNanos;
  }

  /**
   * True if another idempotent request may be pipelined behind what is here: open or opening,
   * and everything here idempotent, sent once, and still waited for.
   */
  boolean acceptsPipelined() {
    return state != State.CLOSED && blockers == 0 && !exchanges.isEmpty();
  }

  /** When the answer being waited for here went out, or {@code nowNanos} if it did not yet. */
  long headStartedNanos(long nowNanos) {
    Http1Exchange first = exchanges.peekFirst();
    return first != null && first.clockStarted() ? first.startedNanos() : nowNanos;
  }

  /** Queues an exchange; its bytes go out at the end of this pass of the loop. */
  void enqueue(Http1Exchange exchange, long nowNanos) {
    exchange.queuedBehind(exchanges.size());
    exchanges.add(exchange);
    if (!exchange.pipelinable()) {
      blockers++;
    }
    if (state == State.OPEN) {
      exchange.startClock(nowNanos);
    }
    if (outEnd + 2 > out.length) {
      compactOut();
    }
    out[outEnd++] = exchange.head();
    out[outEnd++] = exchange.body();
    if (!dirty) {
      dirty = true;
      pool.markDirty(this);
    }
  }

  private void compactOut() {
    int n = outEnd - outStart;
    ByteBuffer[] next = n + 2 > out.length ? new ByteBuffer[Math.max(out.length * 2, n + 2)] : out;
    System.arraycopy(out, outStart, next, 0, n);
    if (next == out) {
      Arrays.fill(out, n, outEnd, null);
    }
    out = next;
    outStart = 0;
    outEnd = n;
  }

  /** Writes what is queued, if the connection is open; called at the end of a loop pass. */
  void flush() {
    dirty = false;
    if (state != State.OPEN || writeBlocked) {
      return;
    }
    try {
      write();
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  private void write() throws IOException {
    boolean tlsPending;
    if (tls == null) {
      if (outStart == outEnd) {
        return;
      }
      channel.write(out, outStart, outEnd - outStart);
      tlsPending = false;
    } else {
      // Also with nothing left to wrap: the last record may still be partly unwritten.
      tlsPending = !tls.write(out, outStart, outEnd - outStart);
    }
    while (outStart < outEnd && !out[outStart].hasRemaining()) {
      out[outStart++] = null;
    }
    if (outStart == outEnd) {
      outStart = 0;
      outEnd = 0;
    }
    boolean pending = outStart < outEnd || tlsPending;
    if (pending != writeBlocked) {
      writeBlocked = pending;
      key.interestOps(pending ? SelectionKey.OP_READ | SelectionKey.OP_WRITE
          : SelectionKey.OP_READ);
    }
  }

  @Override
  public void ready(SelectionKey selected) {
    try {
      switch (state) {
        case CONNECTING -> {
          if (channel.finishConnect()) {
            connected(System.nanoTime());
          }
        }
        case HANDSHAKING -> handshake(System.nanoTime());
        case OPEN -> {
          if (selected.isWritable()) {
            write();
          }
          if (selected.isReadable() && state == State.OPEN) {
            read();
          }
        }
        case CLOSED -> { }
        default -> throw new AssertionError(state);
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  private void read() throws IOException {
    while (state == State.OPEN) {
      ByteBuffer buffer = tls == null ? readPlain() : tls.read();
      if (buffer == null) {
        endOfInput();
        return;
      }
      if (!buffer.hasRemaining()) {
        return; // drained what the socket had; wait for more
      }
      while (buffer.hasRemaining() && state == State.OPEN) {
        Http1Exchange current = exchanges.peekFirst();
        if (current == null) {
          close(); // bytes nobody asked for: the connection cannot be trusted any more
          return;
        }
        if (!parsing) {
          parser.reset(current.isHead(), current.abandoned() ? 0 : current.keepAnswerBytes());
          parsing = true;
        }
        if (parser.feed(buffer)) {
          answered();
        } else if (exchanges.size() == 1
            && parser.unkeptBodyRemaining() > SKIP_BODY_BYTES) {
          answeredAtHead();
          return;
        }
      }
    }
  }

  /**
   * The only exchange here has its status and headers, and a large body no one needs follows:
   * it completes now, and the connection is dropped rather than read to the end of the body
   * (the loop's time is worth more than a connection).
   */
  private void answeredAtHead() {
    parsing = false;
    Http1Exchange done = exchanges.pollFirst();
    blockers = 0;
    served++;
    long now = System.nanoTime();
    pool.observe(now - done.startedNanos(), now);
    close();
    if (!done.abandoned()) {
      done.complete(new ShadowResponse(parser.status(), parser.headers()));
    }
  }

  /** Returns what the socket had (maybe nothing), or null at its end. */
  private ByteBuffer readPlain() throws IOException {
    ByteBuffer buffer = pool.readBuffer();
    buffer.clear();
    if (channel.read(buffer) < 0) {
      return null;
    }
    return buffer.flip();
  }

  /** The first exchange has its whole answer. */
  private void answered() {
    parsing = false;
    Http1Exchange done = exchanges.pollFirst();
    if (!done.pipelinable() || done.abandoned()) {
      blockers--;
    }
    served++;
    long now = System.nanoTime();
    // What the shadow took for this one: the wait divided among those answered before it.
    pool.observe((now - done.startedNanos()) / (done.queuedBehind() + 1), now);
    ShadowResponse response = null;
    if (!done.abandoned()) {
      try {
        response = parser.keptBytes() == 0 && parser.bodyComplete()
            ? new ShadowResponse(parser.status(), parser.headers())
            : new ShadowResponse(parser.status(), parser.headers(), parser.keptBody(),
                parser.bodyComplete());
      } catch (RuntimeException e) {
        // The connection cannot be trusted: what is behind goes as if it had ended here.
        ended(new IOException("the connection was dropped after an answer that could not be read"),
            1, false, false);
        done.fail(new ProtocolException("the shadow's answer could not be read: "
            + e.getMessage()));
        return;
      }
    }
    boolean keepAlive = parser.keepAlive();
    boolean learnt = pool.learn(parser.http10(), keepAlive, served, now);
    long keepAliveSeconds = parser.keepAliveTimeoutSeconds();
    if (keepAliveSeconds >= 0) {
      long said = TimeUnit.SECONDS.toNanos(keepAliveSeconds);
      // Closed by us before the shadow does, so that no copy is sent on a connection it closes.
      idleLimitNanos = Math.min(idleLimitNanos, Math.max(said / 2, said - 1_000_000_000L));
    }
    if (!keepAlive) {
      // The shadow reads nothing more here (RFC 9112 section 9.6): what is behind was not
      // processed, and goes to another connection.
      ended(new IOException("the shadow closed the connection after an earlier answer"), 0, true,
          learnt);
    } else {
      if (exchanges.isEmpty()) {
        idleSinceNanos = now;
      }
      pool.answered(this);
    }
    if (response != null) {
      done.complete(response);
    }
  }

  private void endOfInput() {
    if (parsing && tls != null && !tls.closeNotified() && parser.delimitedByClose()) {
      // Over TLS, a close without close_notify may have cut the answer short (RFC 9112 §9.8):
      // the copy was delivered, its answer is not trusted, and nothing is sent again.
      ended(new IOException("the shadow closed the TLS connection without close_notify before"
          + " the end of an answer delimited by the close: possibly truncated"), parser
          .bytesSeen(), false, false);
      return;
    }
    if (parsing && parser.endOfInput()) {
      answered(); // an answer delimited by the end of the connection
      if (state == State.OPEN) {
        ended(new IOException("the shadow closed the connection after an earlier answer"), 0,
            true, false);
      }
      return;
    }
    if (exchanges.isEmpty()) {
      close(); // an idle connection the shadow closed, as shadows do
      return;
    }
    long seen = parsing ? parser.bytesSeen() : 0;
    ended(Http1ResponseParser.closedEarly(seen), seen, false, false);
  }

  /**
   * The connection is over with exchanges on it: closes it and settles each of them so that none
   * is sent twice (see the class comment). {@code headSeen} is how much of an answer the first
   * one got; {@code announced} is true if the shadow said it would read nothing more.
   */
  private void ended(Throwable cause, long headSeen, boolean announced, boolean learnt) {
    Http1Exchange[] all = exchanges.toArray(new Http1Exchange[0]);
    exchanges.clear();
    blockers = 0;
    // Only the stale-connection race is resent: the first copy still waited for, written alone
    // onto an idle reused connection that ended (FIN or RST) before any byte of an answer and
    // about as soon as the copy went out (the shadow had closed it). Copies pipelined
    // behind another are never resent, not even after an announced close: RFC 9112 section 9.6
    // says the shadow did not process them, but real servers do (Node's http server runs the
    // handler of every request it already read, then closes without answering them).
    boolean staleRace = !announced && headSeen == 0 && served > 0;
    close();
    int lostWritten = 0;
    for (int i = 0; i < all.length; i++) {
      Http1Exchange exchange = all[i];
      if (exchange.abandoned()) {
        continue; // failed already by its own deadline
      }
      if (!exchange.written()) {
        pool.move(exchange); // nothing of it went out: not a resend
        continue;
      }
      lostWritten++;
      if (i == 0 && staleRace && lostWritten == 1 && onlyWritten(all)
          && exchange.queuedBehind() == 0 && pool.endedAtOnce(exchange) && exchange.resend()) {
        pool.resend(exchange);
      } else if (i == 0 && !announced) {
        exchange.fail(cause);
      } else {
        exchange.fail(new PipelinedBehindException("the shadow ended the connection before"
            + " answering; the copy may have been read, so it is not sent again", cause));
      }
    }
    if (lostWritten > 1 && !announced || lostWritten > 0 && announced) {
      // Pipelined requests lost to a failed connection, or to a close the shadow announced: no
      // pipelining for a while; then none past the cap it showed (learnt in answered() when
      // announced; here when the shadow closed at an answer's end without saying so, as a
      // worker recycled after so many requests does).
      if (!announced && headSeen == 0 && served >= 2) {
        pool.learn(false, false, served, System.nanoTime());
      }
      pool.suspendPipelining(System.nanoTime());
    }
  }

  /** True if the first live exchange is the only one written (nothing pipelined behind it). */
  private static boolean onlyWritten(Http1Exchange[] all) {
    int written = 0;
    for (Http1Exchange e : all) {
      if (!e.abandoned() && e.written()) {
        written++;
      }
    }
    return written == 1;
  }

  /** Fails with this cause: before the connection opened, every exchange goes back to the pool. */
  void fail(Throwable cause) {
    if (connecting()) {
      Http1Exchange[] all = exchanges.toArray(new Http1Exchange[0]);
      exchanges.clear();
      blockers = 0;
      close();
      pool.connectFailed(all, cause); // nothing of a request went out
      return;
    }
    if (state == State.CLOSED) {
      return;
    }
    ended(cause, parsing ? parser.bytesSeen() : 0, false, false);
  }

  /** Fails every exchange here with this cause and closes (the transport is closing). */
  void failAll(Throwable cause) {
    Http1Exchange[] all = exchanges.toArray(new Http1Exchange[0]);
    exchanges.clear();
    blockers = 0;
    close();
    for (Http1Exchange exchange : all) {
      if (!exchange.abandoned()) {
        exchange.fail(cause);
      }
    }
  }

  /**
   * Enforces deadlines: each exchange fails by its own read timeout only. Returns true if
   * something here is still waited for.
   */
  boolean expireIfDue(long nowNanos) {
    if (exchanges.isEmpty()) {
      return false;
    }
    if (connecting()) {
      if (nowNanos - connectDeadlineNanos >= 0) {
        fail(new HttpConnectTimeoutException("no connection to the shadow within "
            + TimeUnit.NANOSECONDS.toMillis(exchanges.peekFirst().connectTimeoutNanos()) + " ms"));
        return false;
      }
      return true;
    }
    boolean waitedFor = false;
    boolean first = true;
    boolean expired = false;
    for (Http1Exchange exchange : exchanges) {
      if (!exchange.abandoned() && exchange.clockStarted()
          && nowNanos - exchange.deadlineNanos() >= 0) {
        if (exchange.pipelinable()) {
          blockers++;
        }
        String message = "no complete answer within "
            + TimeUnit.NANOSECONDS.toMillis(exchange.readTimeoutNanos()) + " ms (read timeout)";
        exchange.abandon(first ? new HttpTimeoutException(message)
            : new QueuedBehindTimeoutException(message + ", waiting behind a slower answer"));
        expired = true;
      }
      waitedFor |= !exchange.abandoned();
      first = false;
    }
    if (expired) {
      pool.suspendPipelining(nowNanos); // the shadow has a slow tail: nothing waits behind it
      dropUnwrittenAbandoned();
    }
    if (!waitedFor) {
      close(); // nothing here is waited for: an answer still to come is not worth the connection
      return false;
    }
    Http1Exchange head = exchanges.peekFirst();
    if (!head.abandoned() && head.clockStarted()) {
      pool.headWaiting(nowNanos - head.startedNanos(), head.readTimeoutNanos());
    }
    if (exchanges.peekFirst().abandoned()) {
      moveUnwrittenTail();
    }
    return true;
  }

  /**
   * A copy that failed by its deadline before any byte of it went out is never written later:
   * the shadow must not receive a copy counted as failed before it was sent. Unwritten copies are
   * the tail of the queue, two buffers each at the end of {@code out}, in the same order.
   */
  private void dropUnwrittenAbandoned() {
    int unwritten = 0;
    boolean any = false;
    for (java.util.Iterator<Http1Exchange> i = exchanges.descendingIterator(); i.hasNext(); ) {
      Http1Exchange e = i.next();
      if (e.written()) {
        break;
      }
      unwritten++;
      any |= e.abandoned();
    }
    if (!any || outEnd - outStart < 2 * unwritten) {
      return;
    }
    Http1Exchange[] tail = new Http1Exchange[unwritten];
    ByteBuffer[] buffers = new ByteBuffer[2 * unwritten];
    for (int i = unwritten - 1; i >= 0; i--) {
      tail[i] = exchanges.pollLast();
    }
    System.arraycopy(out, outEnd - 2 * unwritten, buffers, 0, 2 * unwritten);
    java.util.Arrays.fill(out, outEnd - 2 * unwritten, outEnd, null);
    outEnd -= 2 * unwritten;
    for (int i = 0; i < unwritten; i++) {
      if (tail[i].abandoned()) {
        blockers--; // an abandoned copy counted as one (see expireIfDue and enqueue)
        continue;
      }
      exchanges.addLast(tail[i]);
      out[outEnd++] = buffers[2 * i];
      out[outEnd++] = buffers[2 * i + 1];
    }
    if (outStart == outEnd) {
      outStart = 0;
      outEnd = 0;
    }
  }

  /** Behind an answer that is late, what was not written yet goes to another connection. */
  private void moveUnwrittenTail() {
    Http1Exchange last;
    while ((last = exchanges.peekLast()) != null && !last.written() && !last.abandoned()
        && outEnd - outStart >= 2) {
      exchanges.pollLast();
      if (!last.pipelinable()) {
        blockers--;
      }
      out[--outEnd] = null;
      out[--outEnd] = null;
      pool.move(last);
    }
  }

  void close() {
    if (state == State.CLOSED) {
      return;
    }
    boolean wasConnecting = connecting();
    state = State.CLOSED;
    key.cancel();
    try {
      channel.close();
    } catch (IOException e) {
      // nothing to do: the connection is gone either way
    }
    pool.closed(this, wasConnecting);
  }
}
