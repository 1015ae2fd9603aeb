package dev.mirror.core.testing;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/2 shadow scripted frame by frame, for what a real server does rarely or never on cue:
 * refusing a stream, going away below streams in flight, answering before a body ends, never
 * sending SETTINGS. Header blocks are not decoded: a stream is a request from its HEADERS to
 * its END_STREAM; answers are pre-encoded ({@code :status 204}).
 */
public final class RawH2Shadow implements AutoCloseable {

  /** What the shadow does with a stream, by its order of arrival on the whole shadow (from 0). */
  public enum Act { ANSWER, REFUSE, GO_AWAY_BEFORE, ANSWER_ON_HEADERS }

  public interface Script {
    Act act(int index, int streamId);
  }

  private final ServerSocket server;
  private final Script script;
  private final boolean sendSettings;
  private final AtomicInteger arrivals = new AtomicInteger();
  /** Streams answered (processed), as connection:stream. */
  public final List<String> processed = new CopyOnWriteArrayList<>();
  /** RST_STREAM frames received from the client, as connection:stream:code. */
  public final List<String> resets = new CopyOnWriteArrayList<>();
  public final AtomicInteger connections = new AtomicInteger();

  public RawH2Shadow(Script script, boolean sendSettings) throws IOException {
    this.script = script;
    this.sendSettings = sendSettings;
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          int number = connections.incrementAndGet();
          Thread t = new Thread(() -> serve(socket, number), "raw-h2-" + number);
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }, "raw-h2-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public String address() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload)
      throws IOException {
    ByteBuffer b = ByteBuffer.allocate(9 + payload.length);
    b.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8))
        .put((byte) payload.length).put((byte) type).put((byte) flags).putInt(stream).put(payload);
    out.write(b.array());
    out.flush();
  }

  private void serve(Socket socket, int number) {
    try (socket) {
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      OutputStream out = socket.getOutputStream();
      in.readFully(new byte[24]);
      if (sendSettings) {
        frame(out, 0x4, 0, 0, new byte[0]);
      }
      byte[] header = new byte[9];
      int pendingAnswer = 0;
      int lastAccepted = Integer.MAX_VALUE;
      while (true) {
        in.readFully(header);
        int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | (header[2] & 0xff);
        int type = header[3] & 0xff;
        int flags = header[4] & 0xff;
        int stream = ByteBuffer.wrap(header, 5, 4).getInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (type == 0x4 && (flags & 0x1) == 0) {
          frame(out, 0x4, 0x1, 0, new byte[0]);
        } else if (type == 0x3) {
          resets.add(number + ":" + stream + ":" + ByteBuffer.wrap(payload).getInt());
        } else if ((type == 0x1 || type == 0x0) && stream > lastAccepted) {
          continue; // after its GOAWAY: not processed
        } else if (type == 0x1 || type == 0x0) {
          boolean end = (flags & 0x1) != 0;
          if (type == 0x1) {
            Act act = script.act(arrivals.getAndIncrement(), stream);
            switch (act) {
              case REFUSE -> {
                frame(out, 0x3, 0, stream, ByteBuffer.allocate(4).putInt(0x7).array());
                continue;
              }
              case GO_AWAY_BEFORE -> {
                // Takes nothing from this stream on: the last one processed is the one before.
                lastAccepted = stream - 2;
                frame(out, 0x7, 0, 0, ByteBuffer.allocate(8).putInt(stream - 2).putInt(0)
                    .array());
                continue;
              }
              case ANSWER_ON_HEADERS -> {
                answer(out, stream, number);
                continue;
              }
              default -> { }
            }
            pendingAnswer = end ? 0 : stream;
            if (end) {
              answer(out, stream, number);
            }
          } else if (end && stream == pendingAnswer) {
            answer(out, stream, number);
          }
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private void answer(OutputStream out, int stream, int number) throws IOException {
    processed.add(number + ":" + stream);
    frame(out, 0x1, 0x5, stream, new byte[] {(byte) 0x89}); // :status 204, END_STREAM
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
