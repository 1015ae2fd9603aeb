package dev.mirror.core.internal.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS over one non-blocking socket, with the JDK's {@link SSLEngine}: the handshake (delegated
 * tasks run inline: they are short for a client), then records wrapped on the way out and
 * unwrapped on the way in. The host name is verified as for https, and sent as SNI. Event-loop
 * thread only.
 */
public final class TlsSession {

  private static final ByteBuffer[] EMPTY_ARRAY = {ByteBuffer.allocate(0)};

  private final SSLEngine engine;
  private final SocketChannel channel;
  /** Encrypted bytes read and not yet unwrapped; kept ready for writing into. */
  private ByteBuffer netIn;
  /** Encrypted bytes wrapped and not yet written; kept ready for reading from. */
  private ByteBuffer netOut;
  private ByteBuffer appIn;
  private boolean inboundDone;
  /** True once the shadow's close_notify arrived: its data up to there is whole. */
  private boolean closeNotified;
  private boolean started;

  public TlsSession(SSLContext context, String host, int port, SocketChannel channel) {
    this(context, host, port, channel, "http/1.1");
  }

  /** A session that offers this protocol in ALPN ({@code h2} for HTTP/2). */
  public TlsSession(SSLContext context, String host, int port, SocketChannel channel,
      String applicationProtocol) {
    this.engine = context.createSSLEngine(host, port);
    engine.setUseClientMode(true);
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm(
        MirrorSslContext.verifiesHostname(context) ? "HTTPS" : null);
    parameters.setApplicationProtocols(new String[] {applicationProtocol});
    engine.setSSLParameters(parameters);
    this.channel = channel;
    int packet = engine.getSession().getPacketBufferSize();
    this.netIn = ByteBuffer.allocate(packet);
    this.netOut = ByteBuffer.allocate(packet).flip();
    this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
  }

  /**
   * True if the shadow ended its side with close_notify; false after a bare TCP close, which may
   * have cut data short (an answer delimited by the close is then possibly truncated, RFC 9112
   * §9.8).
   */
  public boolean closeNotified() {
    return closeNotified;
  }

  /** The protocol ALPN chose once the handshake is done: empty or null if none. */
  public String applicationProtocol() {
    return engine.getApplicationProtocol();
  }

  /** What the session waits for before it can go on. */
  public enum Wait { NONE, READ, WRITE }

  /**
   * Drives the handshake as far as the socket allows.
   *
   * @return {@link Wait#NONE} once it is done, else what to wait for
   */
  public Wait handshake() throws IOException {
    if (!started) {
      engine.beginHandshake();
      started = true;
    }
    while (true) {
      if (!flush()) {
        return Wait.WRITE;
      }
      switch (engine.getHandshakeStatus()) {
        case NEED_TASK -> runTasks();
        case NEED_WRAP -> wrap(EMPTY_ARRAY);
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          if (!unwrap() && fill() == 0) {
            return Wait.READ;
          }
        }
        case FINISHED, NOT_HANDSHAKING -> {
          return Wait.NONE;
        }
        default -> throw new SSLException("unexpected handshake state "
            + engine.getHandshakeStatus());
      }
    }
  }

  /**
   * Wraps and writes as much of {@code data} as the socket takes.
   *
   * @return true once all of it is written
   */
  public boolean write(ByteBuffer[] data, int offset, int length) throws IOException {
    while (true) {
      if (!flush()) {
        return false;
      }
      while (length > 0 && !data[offset].hasRemaining()) {
        offset++;
        length--;
      }
      if (length == 0) {
        return true;
      }
      wrap(data, offset, length);
    }
  }

  /**
   * Reads and unwraps what the socket has.
   *
   * @return the plain bytes now available (ready for reading, possibly empty), or null once the
   *     shadow closed the connection
   */
  public ByteBuffer read() throws IOException {
    appIn.clear();
    while (true) {
      boolean progressed = unwrap();
      if (inboundDone) {
        appIn.flip();
        return appIn.hasRemaining() ? appIn : null;
      }
      if (appIn.position() > 0) {
        appIn.flip();
        return appIn;
      }
      if (!progressed) {
        int n = fill();
        if (n == 0) {
          appIn.flip();
          return appIn;
        }
      }
    }
  }

  /** Returns bytes read from the socket into netIn; 0 if none now; throws at end of stream. */
  private int fill() throws IOException {
    if (!netIn.hasRemaining()) {
      ByteBuffer bigger = ByteBuffer.allocate(netIn.capacity() * 2);
      netIn.flip();
      bigger.put(netIn);
      netIn = bigger;
    }
    int n = channel.read(netIn);
    if (n < 0) {
      if (engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
        throw new SSLException("the shadow closed the connection during the TLS handshake");
      }
      inboundDone = true;
      return 1; // progress: the caller sees inboundDone
    }
    return n;
  }

  /** Unwraps one record if netIn holds one; false if more bytes are needed. */
  private boolean unwrap() throws IOException {
    netIn.flip();
    try {
      if (!netIn.hasRemaining()) {
        return false;
      }
      SSLEngineResult result = engine.unwrap(netIn, appIn);
      switch (result.getStatus()) {
        case OK -> {
          if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
            runTasks();
          }
          if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            wrap(EMPTY_ARRAY); // a key update or ticket answer after the handshake
          }
          return result.bytesConsumed() > 0 || result.bytesProduced() > 0;
        }
        case BUFFER_UNDERFLOW -> {
          return false;
        }
        case BUFFER_OVERFLOW -> {
          if (appIn.position() > 0) {
            return false; // the caller reads what is there first
          }
          appIn = ByteBuffer.allocate(appIn.capacity() * 2);
          return true;
        }
        case CLOSED -> {
          inboundDone = true;
          closeNotified = true;
          return true;
        }
        default -> throw new AssertionError(result.getStatus());
      }
    } finally {
      netIn.compact();
    }
  }

  private void wrap(ByteBuffer[] data) throws IOException {
    wrap(data, 0, data.length);
  }

  private void wrap(ByteBuffer[] data, int offset, int length) throws IOException {
    netOut.compact();
    try {
      SSLEngineResult result = engine.wrap(data, offset, length, netOut);
      if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
        ByteBuffer bigger = ByteBuffer.allocate(netOut.capacity() * 2);
        netOut.flip();
        bigger.put(netOut);
        netOut = bigger;
      } else if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
        throw new SSLException("the TLS session was closed by the shadow");
      }
      if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
        runTasks();
      }
    } finally {
      netOut.flip();
    }
  }

  /** Writes pending encrypted bytes; true if none are left. */
  private boolean flush() throws IOException {
    while (netOut.hasRemaining()) {
      if (channel.write(netOut) == 0) {
        return false;
      }
    }
    return true;
  }

  private void runTasks() {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }
}
