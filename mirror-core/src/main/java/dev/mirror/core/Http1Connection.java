package dev.mirror.core;

import dev.mirror.api.ShadowResponse;
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
 * at a time, and to a fast shadow under load several pipelined (RFC 9112 section 9.3.2: written
 * back to back, answered in order), so that one write and one read serve many copies. Requests
 * queued during one pass of the event loop go out in one write at its end. Event-loop thread
 * only.
 *
 * <p>Retries: an exchange that got no byte of an answer when the connection ended (a shadow that
 * closed a kept-alive connection as it was reused, or one that answered {@code Connection: close}
 * before reading the pipelined requests behind) is sent once more on another connection.
 */
final class Http1Connection implements EventLoop.Handler {

  private enum State { CONNECTING, HANDSHAKING, OPEN, CLOSED }

  private final Http1Pool pool;
  private final SocketChannel channel;
  private final SelectionKey key;
  /** TLS for https shadows; null in the clear. */
  private final TlsSession tls;
  private final Http1ResponseParser parser = new Http1ResponseParser();
  /** Exchanges on this connection, oldest first: the first is the one being answered. */
  private final ArrayDeque<Http1Exchange> exchanges = new ArrayDeque<>();
  /** Bytes to write, in order: {@code out[outStart..outEnd)}. */
  private ByteBuffer[] out = new ByteBuffer[8];
  private int outStart;
  private int outEnd;
  private State state = State.CONNECTING;
  private boolean parsing;
  private boolean dirty;
  private boolean writeBlocked;
  private long connectDeadlineNanos;
  private long idleSinceNanos;
  private int served;

  /** Opens a socket; {@link #connect} starts the connection. */
  Http1Connection(Http1Pool pool) throws IOException {
    this.pool = pool;
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

  /** Starts connecting within the connect timeout; a failure fails what was queued. */
  void connect(InetSocketAddress address, long connectTimeoutNanos, long nowNanos) {
    connectDeadlineNanos = nowNanos + connectTimeoutNanos;
    try {
      if (channel.connect(address)) {
        connected(nowNanos);
      } else {
        key.interestOps(SelectionKey.OP_CONNECT);
      }
    } catch (IOException | RuntimeException e) {
      failAll(e);
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
    // The read timeout of what waited for the connection starts now.
    for (Http1Exchange exchange : exchanges) {
      exchange.startClock(nowNanos);
    }
    key.interestOps(SelectionKey.OP_READ);
    flush();
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

  /** Queues an exchange; its bytes go out at the end of this pass of the loop. */
  void enqueue(Http1Exchange exchange, long nowNanos) {
    exchange.queuedBehind(exchanges.size());
    exchanges.add(exchange);
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
    if (outStart == outEnd) {
      return;
    }
    if (tls == null) {
      channel.write(out, outStart, outEnd - outStart);
    } else {
      tls.write(out, outStart, outEnd - outStart);
    }
    while (outStart < outEnd && !out[outStart].hasRemaining()) {
      out[outStart++] = null;
    }
    if (outStart == outEnd) {
      outStart = 0;
      outEnd = 0;
      if (writeBlocked) {
        writeBlocked = false;
        key.interestOps(SelectionKey.OP_READ);
      }
    } else if (!writeBlocked) {
      writeBlocked = true;
      key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
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
          parser.reset(current.isHead(), current.keepAnswerBytes());
          parsing = true;
        }
        if (parser.feed(buffer)) {
          answered();
        }
      }
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
    served++;
    long now = System.nanoTime();
    // What the shadow took for this one: the wait divided among those answered before it.
    pool.observe((now - done.startedNanos()) / (done.queuedBehind() + 1));
    ShadowResponse response;
    try {
      response = parser.keptBytes() == 0 && parser.bodyComplete()
          ? new ShadowResponse(parser.status(), parser.headers())
          : new ShadowResponse(parser.status(), parser.headers(), parser.keptBody(),
              parser.bodyComplete());
    } catch (RuntimeException e) {
      closeAndResendRest(true); // the connection cannot be trusted; what is behind goes elsewhere
      done.fail(new ProtocolException("the shadow's answer could not be read: " + e.getMessage()));
      return;
    }
    if (!parser.keepAlive()) {
      // The shadow said it reads nothing more here (RFC 9112 9.6): what is queued behind was
      // not processed, and goes to another connection as it is, without using up its retry.
      closeAndResendRest(false);
    } else {
      if (exchanges.isEmpty()) {
        idleSinceNanos = now;
      }
      pool.answered(this);
    }
    done.complete(response);
  }

  private void endOfInput() {
    if (parsing && parser.endOfInput()) {
      answered(); // an answer delimited by the end of the connection
      if (state == State.OPEN) {
        closeAndResendRest(false);
      }
      return;
    }
    Http1Exchange first = exchanges.pollFirst();
    if (first == null) {
      close(); // an idle connection the shadow closed, as shadows do
      return;
    }
    long seen = parsing ? parser.bytesSeen() : 0;
    boolean reused = served > 0;
    closeAndResendRest(true);
    // A kept-alive connection the shadow closed just as it was reused: the request got no byte
    // of an answer, so it is sent once more on another connection, as HTTP clients do.
    if (reused && seen == 0 && first.retry()) {
      pool.send(first);
    } else {
      first.fail(Http1ResponseParser.closedEarly(seen));
    }
  }

  /**
   * Closes, and sends what is queued here to another connection: as it is when the shadow said it
   * would read no more ({@code spendsRetry} false), else once more only (the retry each exchange
   * has), failing those that had theirs.
   */
  private void closeAndResendRest(boolean spendsRetry) {
    Http1Exchange[] rest = exchanges.toArray(new Http1Exchange[0]);
    exchanges.clear();
    close();
    for (Http1Exchange exchange : rest) {
      if (!spendsRetry) {
        exchange.rewind();
        pool.send(exchange);
      } else if (exchange.retry()) {
        pool.send(exchange);
      } else {
        exchange.fail(new IOException("the shadow closed the connection before answering"));
      }
    }
  }

  /** Fails the exchange being answered with this cause, retries the rest, and closes. */
  void fail(Throwable cause) {
    Http1Exchange first = exchanges.pollFirst();
    if (state == State.CONNECTING || state == State.HANDSHAKING) {
      if (first != null) {
        exchanges.addFirst(first);
      }
      failAll(cause); // nothing went out: every exchange here fails the same way
      return;
    }
    closeAndResendRest(true);
    if (first != null) {
      first.fail(cause);
    }
  }

  void failAll(Throwable cause) {
    Http1Exchange[] all = exchanges.toArray(new Http1Exchange[0]);
    exchanges.clear();
    close();
    for (Http1Exchange exchange : all) {
      exchange.fail(cause);
    }
  }

  /** Enforces deadlines; returns true if something is still in flight here. */
  boolean expireIfDue(long nowNanos) {
    if (exchanges.isEmpty()) {
      return false;
    }
    if (state == State.CONNECTING || state == State.HANDSHAKING) {
      if (nowNanos - connectDeadlineNanos >= 0) {
        failAll(new HttpConnectTimeoutException("no connection to the shadow within "
            + TimeUnit.NANOSECONDS.toMillis(exchanges.peekFirst().connectTimeoutNanos()) + " ms"));
        return false;
      }
      return true;
    }
    Http1Exchange first = exchanges.peekFirst();
    if (nowNanos - first.deadlineNanos() >= 0) {
      // Those queued behind waited as long, on a shadow that is not answering: they time out
      // too, rather than load it once more.
      failAll(new HttpTimeoutException("no complete answer within "
          + TimeUnit.NANOSECONDS.toMillis(first.readTimeoutNanos()) + " ms (read timeout)"));
      return false;
    }
    return true;
  }

  void close() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    key.cancel();
    try {
      channel.close();
    } catch (IOException e) {
      // nothing to do: the connection is gone either way
    }
    pool.closed(this);
  }
}
