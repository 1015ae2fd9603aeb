package dev.mirror.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A shadow on a real socket that records each request's raw bytes and answers with scripted raw
 * bytes, so framing can be checked byte for byte on both sides.
 */
public final class RawShadow implements AutoCloseable {

  /** What to do with one request. */
  public interface Script {
    Answer answer(int index, Recorded request);
  }

  /** The bytes to write, then whether to close the connection (or reset it, or say nothing). */
  public record Answer(byte[] bytes, boolean close, boolean reset, boolean silent) {
    public static Answer of(String text) {
      return new Answer(text.getBytes(StandardCharsets.ISO_8859_1), false, false, false);
    }

    public static Answer thenClose(String text) {
      return new Answer(text.getBytes(StandardCharsets.ISO_8859_1), true, false, false);
    }

    public static Answer silence() {
      return new Answer(new byte[0], false, false, true);
    }

    public static Answer reset(String partial) {
      return new Answer(partial.getBytes(StandardCharsets.ISO_8859_1), false, true, false);
    }
  }

  /** One request as it came: its head as text, its body, and which connection carried it. */
  public record Recorded(String head, byte[] body, int connection) {
    public String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }

    public String requestLine() {
      return head.substring(0, head.indexOf("\r\n"));
    }
  }

  private final ServerSocket server;
  private final Script script;
  private final BlockingQueue<Recorded> requests = new LinkedBlockingQueue<>();
  private final BlockingQueue<byte[]> unanswered = new LinkedBlockingQueue<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger index = new AtomicInteger();
  private final AtomicInteger closedByClient = new AtomicInteger();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  public RawShadow(Script script) throws IOException {
    this.script = script;
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    this.acceptor = new Thread(this::accept, "raw-shadow");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public String address() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  public int port() {
    return server.getLocalPort();
  }

  public int connections() {
    return connections.get();
  }

  /** Connections the client closed between requests. */
  public int closedByClient() {
    return closedByClient.get();
  }

  /** The next request, or null if none came within the time given. */
  public Recorded poll(long millis) throws InterruptedException {
    return requests.poll(millis, TimeUnit.MILLISECONDS);
  }

  /**
   * What came after a request answered with {@link Answer#silence()}, once the client closed that
   * connection; null if it did not close within the time given.
   */
  public byte[] pollUnanswered(long millis) throws InterruptedException {
    return unanswered.poll(millis, TimeUnit.MILLISECONDS);
  }

  public Recorded take() throws InterruptedException {
    Recorded r = requests.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no request reached the shadow within 10 s");
    }
    return r;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        open.add(socket);
        int number = connections.incrementAndGet();
        Thread t = new Thread(() -> serve(socket, number), "raw-shadow-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket, int number) {
    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
      while (true) {
        String head = readHead(in);
        if (head == null) {
          closedByClient.incrementAndGet();
          return;
        }
        byte[] body = new byte[0];
        String length = new Recorded(head, body, number).header("Content-Length");
        if (length != null) {
          body = in.readNBytes(Integer.parseInt(length));
        }
        Recorded request = new Recorded(head, body, number);
        requests.add(request);
        Answer answer = script.answer(index.getAndIncrement(), request);
        if (answer.silent()) {
          unanswered.add(in.readAllBytes()); // hold the connection open, answer nothing
          return;
        }
        out.write(answer.bytes());
        out.flush();
        if (answer.reset()) {
          socket.setSoLinger(true, 0);
          return;
        }
        if (answer.close()) {
          return;
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      state = (b == '\r' && (state == 0 || state == 2)) ? state + 1
          : (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
      if (state == 4) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
  }
}
