package dev.mirror.core;

import dev.mirror.api.ShadowResponse;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * One kept-alive HTTP/1.1 connection to a shadow, carrying one exchange at a time. Lives on its
 * event loop's thread only.
 */
final class Http1Connection implements EventLoop.Handler {

  private enum State { CONNECTING, HANDSHAKING, WRITING, READING, IDLE, CLOSED }

  private final Http1Pool pool;
  private final SocketChannel channel;
  private final SelectionKey key;
  /** TLS for https shadows; null in the clear. */
  private final TlsSession tls;
  private final Http1ResponseParser parser = new Http1ResponseParser();
  private final ByteBuffer[] out = new ByteBuffer[2];
  private State state;
  private Http1Exchange exchange;
  private long deadlineNanos;
  private long idleSinceNanos;
  private int served;

  /** Opens a socket for this exchange; {@link #connect} starts the connection. */
  Http1Connection(Http1Pool pool, Http1Exchange first, long nowNanos) throws IOException {
    this.pool = pool;
    SocketChannel ch = SocketChannel.open();
    try {
      ch.configureBlocking(false);
      ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
      this.channel = ch;
      this.key = ch.register(pool.loop().selector(), 0, this);
      this.tls = pool.newTlsSession(ch);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    this.exchange = first;
    this.state = State.CONNECTING;
    this.deadlineNanos = nowNanos + first.connectTimeoutNanos();
  }

  /** Starts connecting; a failure fails the first exchange and closes. */
  void connect(java.net.InetSocketAddress address, long nowNanos) {
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
      startWriting(nowNanos);
    } else {
      state = State.HANDSHAKING; // still under the connect timeout
      handshake(nowNanos);
    }
  }

  private void handshake(long nowNanos) throws IOException {
    switch (tls.handshake()) {
      case NONE -> startWriting(nowNanos);
      case READ -> key.interestOps(SelectionKey.OP_READ);
      case WRITE -> key.interestOps(SelectionKey.OP_WRITE);
      default -> throw new AssertionError();
    }
  }

  /** True if this connection is idle and may carry another exchange. */
  boolean reusable() {
    return state == State.IDLE && channel.isOpen();
  }

  long idleSinceNanos() {
    return idleSinceNanos;
  }

  /** Starts an exchange on this idle connection. */
  void start(Http1Exchange next, long nowNanos) throws IOException {
    exchange = next;
    startWriting(nowNanos);
  }

  private void startWriting(long nowNanos) throws IOException {
    state = State.WRITING;
    deadlineNanos = nowNanos + exchange.readTimeoutNanos();
    parser.reset(exchange.isHead());
    out[0] = exchange.head();
    out[1] = exchange.body();
    write();
  }

  private void write() throws IOException {
    boolean all;
    if (tls == null) {
      channel.write(out);
      all = !out[0].hasRemaining() && !out[1].hasRemaining();
    } else {
      all = tls.write(out);
    }
    if (!all) {
      key.interestOps(SelectionKey.OP_WRITE);
      return;
    }
    out[0] = null;
    out[1] = null;
    state = State.READING;
    key.interestOps(SelectionKey.OP_READ);
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
        case WRITING -> {
          if (selected.isReadable()) {
            read(); // an early answer (or a close) before the request was all written
          }
          if (state == State.WRITING) {
            write();
          }
        }
        case READING -> read();
        case IDLE -> idleRead();
        case CLOSED -> { }
        default -> throw new AssertionError(state);
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  private void read() throws IOException {
    while (true) {
      ByteBuffer buffer = tls == null ? readPlain() : tls.read();
      if (buffer == null) {
        if (parser.endOfInput()) {
          complete(false);
        } else {
          closedEarly();
        }
        return;
      }
      if (!buffer.hasRemaining()) {
        return; // drained what the socket had; wait for more
      }
      if (parser.feed(buffer)) {
        complete(!buffer.hasRemaining() && parser.keepAlive() && state == State.READING);
        return;
      }
    }
  }

  /** Returns what the socket had (maybe nothing), or null at its end. */
  private ByteBuffer readPlain() throws IOException {
    ByteBuffer buffer = pool.readBuffer();
    buffer.clear();
    int n = channel.read(buffer);
    if (n < 0) {
      return null;
    }
    return buffer.flip();
  }

  /** A kept-alive connection should be quiet: data or an end means it is no longer usable. */
  private void idleRead() {
    ByteBuffer buffer = pool.readBuffer();
    buffer.clear();
    try {
      channel.read(buffer);
    } catch (IOException e) {
      // closed by the shadow, as expected of an idle connection at some point
    }
    close();
  }

  private void complete(boolean keepAlive) {
    Http1Exchange done = exchange;
    exchange = null;
    served++;
    ShadowResponse response;
    try {
      response = new ShadowResponse(parser.status(), parser.headers());
    } catch (RuntimeException e) {
      done.fail(new ProtocolException("the shadow's answer could not be read: " + e.getMessage()));
      close();
      return;
    }
    if (keepAlive) {
      state = State.IDLE;
      idleSinceNanos = System.nanoTime();
      pool.release(this);
    } else {
      close();
    }
    done.complete(response);
  }

  private void closedEarly() {
    Http1Exchange failed = exchange;
    exchange = null;
    close();
    // A kept-alive connection the shadow closed just as we reused it: the request never got an
    // answer's first byte, so it is sent once more on a new connection, as HTTP clients do.
    if (served > 0 && parser.bytesSeen() == 0 && failed.retry()) {
      pool.send(failed);
      return;
    }
    failed.fail(Http1ResponseParser.closedEarly(parser.bytesSeen()));
  }

  /** Fails the exchange in progress (if any) and closes. */
  void fail(Throwable cause) {
    Http1Exchange failed = exchange;
    exchange = null;
    close();
    if (failed != null) {
      failed.fail(cause);
    }
  }

  /** Enforces the deadline of what is in progress; returns true if this connection ended. */
  boolean expireIfDue(long nowNanos) {
    if (exchange == null || nowNanos - deadlineNanos < 0) {
      return false;
    }
    if (state == State.CONNECTING || state == State.HANDSHAKING) {
      fail(new HttpConnectTimeoutException("no connection to the shadow within "
          + TimeUnit.NANOSECONDS.toMillis(exchange.connectTimeoutNanos()) + " ms"));
    } else {
      fail(new HttpTimeoutException("no complete answer within "
          + TimeUnit.NANOSECONDS.toMillis(exchange.readTimeoutNanos()) + " ms (read timeout)"));
    }
    return true;
  }

  boolean busy() {
    return exchange != null;
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
