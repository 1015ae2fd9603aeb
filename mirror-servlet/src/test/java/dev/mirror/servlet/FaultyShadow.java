package dev.mirror.servlet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A shadow that misbehaves in one chosen way, on raw sockets so every byte is under control, and
 * that counts its open connections (to prove none is left open).
 */
final class FaultyShadow implements AutoCloseable {

  enum Mode {
    /** Answers 204 after 0.5 s. */
    SLOW,
    /** Reads requests, never answers. */
    BLACK_HOLE,
    /** Answers headers at once, then the body at 1 byte per second. */
    TRICKLE,
    /** Answers 503. */
    SERVER_ERROR,
    /** Starts a response, then resets the connection. */
    RESET,
    /** Answers with a 100 MB body. */
    HUGE,
    /** Answers a TLS client hello with plain text. */
    NOT_TLS
  }

  static final long HUGE_BYTES = 100L * 1024 * 1024;

  private final Mode mode;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger requests = new AtomicInteger();

  FaultyShadow(Mode mode) throws IOException {
    this.mode = mode;
    this.server = new ServerSocket(0, 1_000, InetAddress.getByName("127.0.0.1"));
    Thread acceptor = new Thread(this::accept, "faulty-shadow-" + mode);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String address() {
    return (mode == Mode.NOT_TLS ? "https" : "http") + "://127.0.0.1:" + server.getLocalPort();
  }

  int openConnections() {
    return open.size();
  }

  int requests() {
    return requests.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        open.add(socket);
        Thread handler = new Thread(() -> serve(socket), "faulty-shadow-conn");
        handler.setDaemon(true);
        handler.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
      if (mode == Mode.NOT_TLS) {
        in.read(new byte[512]);
        out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        drain(in);
        return;
      }
      while (readRequest(in)) {
        requests.incrementAndGet();
        switch (mode) {
          case BLACK_HOLE:
            drain(in); // never answers; returns when the client closes
            return;
          case SLOW:
            TimeUnit.MILLISECONDS.sleep(500); // the shadow's own slowness
            out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            break;
          case SERVER_ERROR:
            out.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy"
                .getBytes(StandardCharsets.US_ASCII));
            break;
          case TRICKLE:
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 60; i++) {
              out.flush();
              TimeUnit.SECONDS.sleep(1); // one byte per second, on purpose
              out.write('x');
            }
            break;
          case RESET:
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial"
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.setSoLinger(true, 0); // close() now sends RST
            return;
          case HUGE:
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + HUGE_BYTES + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            for (long sent = 0; sent < HUGE_BYTES; sent += chunk.length) {
              out.write(chunk);
            }
            break;
          default:
            throw new AssertionError(mode);
        }
        out.flush();
      }
    } catch (IOException | InterruptedException gone) {
      // the client went away: that is what the test wants to see
    } finally {
      open.remove(socket);
    }
  }

  /** Reads one request (headers and a Content-Length body); false at end of stream. */
  private static boolean readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last = 0;
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      last = (last << 8) | b;
      if (last == 0x0d0a0d0a) {
        break;
      }
    }
    if (last != 0x0d0a0d0a) {
      return false;
    }
    long length = 0;
    for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Long.parseLong(line.substring(15).trim());
      }
    }
    in.readNBytes((int) length);
    return true;
  }

  private static void drain(InputStream in) throws IOException {
    byte[] sink = new byte[4096];
    while (in.read(sink) >= 0) {
      // discard
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : open) {
      socket.close();
    }
  }
}
