package dev.mirror.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.DropReason;
import dev.mirror.api.MirroredRequest;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.TargetStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * h2c shadows that misbehave at the HTTP/2 level, written frame by frame: one that never lets a
 * byte of body in (an initial flow-control window of 0, never opened), one that sends GOAWAY after
 * five streams. The request thread never waits, the cap holds, every copy ends counted, and a
 * GOAWAY is followed by a new connection.
 */
class H2cShadowFaultsTest {

  /** Accepts HTTP/2 connections, says "window 0", acknowledges settings, then only reads. */
  private static final class StalledShadow implements AutoCloseable {
    final ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();

    StalledShadow() throws IOException {
      Thread acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket socket = server.accept();
            sockets.add(socket);
            connections.incrementAndGet();
            Thread reader = new Thread(() -> serve(socket), "stalled-shadow-conn");
            reader.setDaemon(true);
            reader.start();
          } catch (IOException closed) {
            return;
          }
        }
      }, "stalled-shadow");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private static void serve(Socket socket) {
      try (socket) {
        OutputStream out = socket.getOutputStream();
        // SETTINGS: INITIAL_WINDOW_SIZE (0x4) = 0.
        out.write(new byte[] {0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0});
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] preface = in.readNBytes(24);
        if (preface.length < 24) {
          return;
        }
        byte[] head = new byte[9];
        while (in.readNBytes(head, 0, 9) == 9) {
          int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff;
          int type = head[3];
          int flags = head[4];
          in.readNBytes(length);
          if (type == 4 && (flags & 1) == 0) {
            out.write(new byte[] {0, 0, 0, 4, 1, 0, 0, 0, 0}); // SETTINGS ack
            out.flush();
          }
          // HEADERS, DATA, WINDOW_UPDATE, PING...: read and never answered.
        }
      } catch (IOException gone) {
        // the client closed the connection
      }
    }

    String address() {
      return "http://127.0.0.1:" + server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }

  @Test
  void aShadowWithAShutWindow_neverMakesTheCallerWait_andTheCapHolds() throws Exception {
    try (StalledShadow shadow = new StalledShadow();
        MirrorEngine engine = MirrorConfig.parse(Map.of(
            "mirror.host", shadow.address(),
            "mirror.transport", "jetty", "mirror.http-version", "h2c",
            "mirror.max-in-flight", "16",
            "mirror.timeout.read", "1s",
            "mirror.circuit.failure-threshold", "1000000")).newEngine()) {
      byte[] body = new byte[8 * 1024];
      long slowest = 0;
      int maxInFlight = 0;
      for (int i = 0; i < 500; i++) {
        long start = System.nanoTime();
        engine.submit(MirroredRequest.builder().method("POST").rawTarget("/stalled/" + i)
            .body(body).build());
        slowest = Math.max(slowest, System.nanoTime() - start);
        maxInFlight = Math.max(maxInFlight, engine.stats().target("default").inFlight());
      }
      assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).as("the slowest submit, in ms")
          .isLessThan(500);
      assertThat(maxInFlight).isLessThanOrEqualTo(16);

      await().atMost(Duration.ofSeconds(20)).until(() -> {
        TargetStats t = engine.stats().target("default");
        return t.inFlight() == 0 && t.sent() + t.failedTotal() + t.droppedTotal() == 500;
      });
      TargetStats t = engine.stats().target("default");
      assertThat(t.sent()).as("no copy got through a shut window").isZero();
      assertThat(t.dropped(DropReason.QUEUE_FULL)).isPositive();
      assertThat(t.failedTotal()).isPositive();
      assertThat(shadow.connections.get()).as("one connection carries the streams")
          .isLessThanOrEqualTo(2);
    }
  }

  /**
   * Answers five streams a connection (":status 200", HPACK's static entry 8), then sends GOAWAY
   * with the fifth as the last stream it processed, and closes: what came after it was never
   * processed.
   */
  private static void serveFiveThenGoAway(Socket socket) {
    try (socket) {
      OutputStream out = socket.getOutputStream();
      out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // SETTINGS: defaults
      out.flush();
      InputStream in = socket.getInputStream();
      if (in.readNBytes(24).length < 24) {
        return;
      }
      byte[] head = new byte[9];
      int answered = 0;
      int lastAnswered = 0;
      while (in.readNBytes(head, 0, 9) == 9) {
        int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff;
        int type = head[3];
        int flags = head[4];
        int stream = (head[5] & 0x7f) << 24 | (head[6] & 0xff) << 16 | (head[7] & 0xff) << 8
            | head[8] & 0xff;
        in.readNBytes(length);
        if (type == 4 && (flags & 1) == 0) {
          out.write(new byte[] {0, 0, 0, 4, 1, 0, 0, 0, 0});
        } else if (type == 1 && (flags & 1) != 0) { // a bodiless request, complete
          if (answered == 5) {
            out.write(new byte[] {0, 0, 8, 7, 0, 0, 0, 0, 0, (byte) (lastAnswered >>> 24),
                (byte) (lastAnswered >>> 16), (byte) (lastAnswered >>> 8), (byte) lastAnswered,
                0, 0, 0, 0}); // GOAWAY, NO_ERROR
            out.flush();
            return;
          }
          out.write(new byte[] {0, 0, 1, 1, 5, (byte) (stream >>> 24), (byte) (stream >>> 16),
              (byte) (stream >>> 8), (byte) stream, (byte) 0x88});
          answered++;
          lastAnswered = stream;
        }
        out.flush();
      }
    } catch (IOException gone) {
      // the client closed the connection
    }
  }

  @Test
  void aGoAway_endsWhatWasNotProcessed_counted_andTheNextCopiesOpenANewConnection()
      throws Exception {
    AtomicInteger connections = new AtomicInteger();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Thread acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket socket = server.accept();
            connections.incrementAndGet();
            Thread conn = new Thread(() -> serveFiveThenGoAway(socket), "goaway-shadow-conn");
            conn.setDaemon(true);
            conn.start();
          } catch (IOException closed) {
            return;
          }
        }
      }, "goaway-shadow");
      acceptor.setDaemon(true);
      acceptor.start();
      try (MirrorEngine engine = MirrorConfig.parse(Map.of(
          "mirror.host", "http://127.0.0.1:" + server.getLocalPort(),
          "mirror.transport", "jetty", "mirror.http-version", "h2c",
          "mirror.timeout.read", "2s",
          "mirror.circuit.failure-threshold", "1000000")).newEngine()) {
        // One copy at a time: five are answered, the sixth meets the GOAWAY, the next ones go
        // on a new connection.
        for (int i = 0; i < 12; i++) {
          engine.submit(MirroredRequest.builder().method("GET").rawTarget("/goaway/" + i)
              .build());
          long settled = i + 1;
          await().atMost(Duration.ofSeconds(10)).until(() -> {
            TargetStats t = engine.stats().target("default");
            return t.inFlight() == 0 && t.sent() + t.failedTotal() + t.droppedTotal() == settled;
          });
        }
        TargetStats t = engine.stats().target("default");
        assertThat(t.sent() + t.failedTotal()).isEqualTo(12);
        assertThat(t.sent()).as("answered: %s", t.failed()).isGreaterThanOrEqualTo(10);
        assertThat(connections.get()).as("a new connection after a GOAWAY").isGreaterThan(1);
      }
    }
  }
}
