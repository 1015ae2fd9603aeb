package dev.mirror.bench;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A gRPC shadow that costs the machine as little as a shadow can, for bench/grpc-load.sh: cleartext
 * HTTP/2 read frame by frame without decoding a header (a call ends at its END_STREAM flag), and
 * one pre-encoded answer per call (status 200, {@code application/grpc}, an empty message,
 * {@code grpc-status: 0} trailers), at once or after a delay. Windows are opened wide at the start
 * and widened as data arrives; SETTINGS are acknowledged and PINGs answered, so grpc-java's
 * client and mirror's own sender both take it for a server. A blocking thread per connection
 * (copies come on a handful of connections); answers written in one flush per burst read.
 *
 * <p>Usage: {@code RawGrpcShadow <port> <delayMillis>}; prints the calls answered on exit.
 */
public final class RawGrpcShadow {

  private static final int WINDOW = Integer.MAX_VALUE;
  private static final AtomicLong CALLS = new AtomicLong();

  private RawGrpcShadow() {}

  public static void main(String[] args) throws Exception {
    start(Integer.parseInt(args[0]), Long.parseLong(args[1]));
    System.out.println("raw grpc shadow ready on " + args[0]);
    Thread.currentThread().join();
  }

  /** Starts serving on 127.0.0.1:port; returns at once. */
  static void start(int port, long delayMillis) throws IOException {
    ServerSocket server = new ServerSocket(port, 1024, InetAddress.getByName("127.0.0.1"));
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "raw-grpc-timer");
      t.setDaemon(true);
      return t;
    });
    Thread acceptor = new Thread(() -> {
      while (true) {
        try {
          Socket socket = server.accept();
          socket.setTcpNoDelay(true);
          Thread t = new Thread(() -> serve(socket, timer, delayMillis), "raw-grpc-" + port);
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }, "raw-grpc-acceptor-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private static byte[] answer(int streamId) {
    byte[] type = "application/grpc".getBytes(StandardCharsets.US_ASCII);
    byte[] status = "grpc-status".getBytes(StandardCharsets.US_ASCII);
    // HEADERS: :status 200 (static index 8), content-type (name index 31) as a literal.
    int headersLength = 1 + 2 + 1 + type.length;
    // Trailers: grpc-status: 0 as a literal with a new name.
    int trailersLength = 1 + 1 + status.length + 1 + 1;
    byte[] out = new byte[9 + headersLength + 9 + 5 + 9 + trailersLength];
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(out);
    frame(b, headersLength, 0x1, 0x4, streamId);
    b.put((byte) 0x88).put((byte) 0x0f).put((byte) 16).put((byte) type.length).put(type);
    frame(b, 5, 0x0, 0x0, streamId);
    b.put(new byte[5]); // an empty message
    frame(b, trailersLength, 0x1, 0x5, streamId); // END_HEADERS | END_STREAM
    b.put((byte) 0x00).put((byte) status.length).put(status).put((byte) 1).put((byte) '0');
    return out;
  }

  private static void frame(java.nio.ByteBuffer b, int length, int type, int flags, int stream) {
    b.put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length).put((byte) type)
        .put((byte) flags).putInt(stream);
  }

  private static void serve(Socket socket, ScheduledExecutorService timer, long delayMillis) {
    try (socket) {
      DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(
          socket.getInputStream(), 64 * 1024));
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
      in.readFully(new byte[24]); // the client's preface
      synchronized (out) {
        byte[] settings = new byte[9 + 12 + 9 + 4];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(settings);
        frame(b, 12, 0x4, 0, 0);
        b.putShort((short) 0x3).putInt(100_000); // MAX_CONCURRENT_STREAMS
        b.putShort((short) 0x4).putInt(WINDOW); // INITIAL_WINDOW_SIZE
        frame(b, 4, 0x8, 0, 0);
        b.putInt(WINDOW - 65_535);
        out.write(settings);
        out.flush();
      }
      long received = 0;
      byte[] header = new byte[9];
      byte[] payload = new byte[16 * 1024 * 1024];
      while (true) {
        in.readFully(header);
        int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | (header[2] & 0xff);
        int type = header[3] & 0xff;
        int flags = header[4] & 0xff;
        int stream = ((header[5] & 0x7f) << 24) | (header[6] & 0xff) << 16
            | (header[7] & 0xff) << 8 | (header[8] & 0xff);
        in.readFully(payload, 0, length);
        byte[] reply = null;
        if (type == 0x0) { // DATA
          received += length;
          if (received > 512L * 1024 * 1024) { // keep the connection window open
            reply = windowUpdate((int) received);
            received = 0;
          }
        }
        if ((type == 0x0 || type == 0x1) && (flags & 0x1) != 0) { // the call ends: answer
          byte[] answer = answer(stream);
          CALLS.incrementAndGet();
          if (delayMillis > 0) {
            timer.schedule(() -> write(out, answer, true), delayMillis, TimeUnit.MILLISECONDS);
          } else {
            write(out, answer, false);
          }
        } else if (type == 0x4 && (flags & 0x1) == 0) { // SETTINGS: acknowledge
          byte[] ack = new byte[9];
          frame(java.nio.ByteBuffer.wrap(ack), 0, 0x4, 0x1, 0);
          write(out, ack, false);
        } else if (type == 0x6 && (flags & 0x1) == 0) { // PING: answer
          byte[] pong = new byte[17];
          java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(pong);
          frame(b, 8, 0x6, 0x1, 0);
          b.put(payload, 0, 8);
          write(out, pong, false);
        } else if (type == 0x7) { // GOAWAY
          return;
        }
        if (reply != null) {
          write(out, reply, false);
        }
        if (in.available() == 0) {
          synchronized (out) {
            out.flush(); // one write per burst read
          }
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private static byte[] windowUpdate(int increment) {
    byte[] update = new byte[13];
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(update);
    frame(b, 4, 0x8, 0, 0);
    b.putInt(increment);
    return update;
  }

  private static void write(OutputStream out, byte[] bytes, boolean flush) {
    try {
      synchronized (out) {
        out.write(bytes);
        if (flush) {
          out.flush();
        }
      }
    } catch (IOException e) {
      // the connection ended; its calls are the client's to count
    }
  }
}
