package dev.mirror.bench;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The shadows bench/load.sh mirrors to, in their own JVM on 127.0.0.1: {@code fast} answers 204
 * at once, {@code slow} after 0.5 s, {@code blackhole} never, {@code reset} resets every
 * connection once a request arrived. Usage: {@code BenchShadows <fastPort> <slowPort>
 * <blackholePort> [resetPort]}; runs until killed. (load.sh uses NGINX for the fast and slow
 * shadows, so that the Jetty primary and NGINX `mirror` send to the same server.)
 */
public final class BenchShadows {

  private BenchShadows() {}

  public static void main(String[] args) throws Exception {
    start(Integer.parseInt(args[0]), 0, false);
    start(Integer.parseInt(args[1]), 500, false);
    start(Integer.parseInt(args[2]), 0, true);
    if (args.length > 3) {
      startResetting(Integer.parseInt(args[3]));
    }
    if (args.length > 5) {
      startVerifying(Integer.parseInt(args[4]), 200, 2_500, 0);
      startVerifying(Integer.parseInt(args[5]), 0, 0, 256 * 1024);
    }
    System.out.println("shadows ready");
    Thread.currentThread().join();
  }

  /** Reads the first bytes of each connection, then resets it (RST, not FIN). */
  static void startResetting(int port) throws Exception {
    java.net.ServerSocket server = new java.net.ServerSocket(port, 1024,
        java.net.InetAddress.getByName("127.0.0.1"));
    Thread acceptor = new Thread(() -> {
      while (true) {
        try {
          java.net.Socket socket = server.accept();
          socket.getInputStream().read(new byte[4096]);
          socket.setSoLinger(true, 0);
          socket.close();
        } catch (java.io.IOException e) {
          // next connection
        }
      }
    }, "reset-shadow");
    acceptor.start();
  }

  private static final java.util.concurrent.ScheduledExecutorService LATER =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

  /**
   * A shadow that counts what it receives by the copy's {@code X-Mirror-Request-Id}: copies,
   * distinct ones, and duplicates (a copy received twice), served as text on {@code GET
   * /__stats}. One answer in {@code slowEvery} (0: none) comes after {@code slowMillis}, without
   * holding a thread; answers carry {@code bodyBytes} of body.
   */
  private static void startVerifying(int port, int slowEvery, long slowMillis, int bodyBytes)
      throws Exception {
    java.util.concurrent.ConcurrentHashMap<String, Boolean> seen =
        new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong duplicates = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong slow = new java.util.concurrent.atomic.AtomicLong();
    byte[] body = new byte[bodyBytes];
    Server server = onLoopback(port);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        if (request.getHttpURI().getPath().equals("/__stats")) {
          response.write(true, java.nio.ByteBuffer.wrap(("received " + received.get()
              + " distinct " + seen.size() + " duplicates " + duplicates.get() + " slow "
              + slow.get() + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
              callback);
          return true;
        }
        long n = received.incrementAndGet();
        String id = request.getHeaders().get("X-Mirror-Request-Id");
        if (id != null && seen.putIfAbsent(id, Boolean.TRUE) != null) {
          duplicates.incrementAndGet();
        }
        Runnable answer = () -> {
          response.setStatus(200);
          response.getHeaders().put("Content-Length", Integer.toString(body.length));
          response.write(true, java.nio.ByteBuffer.wrap(body), callback);
        };
        // Drain the request body first, so a POST's bytes never hold the connection.
        org.eclipse.jetty.io.Content.Source.consumeAll(request, Callback.from(() -> {
          if (slowEvery > 0 && n % slowEvery == 0) {
            slow.incrementAndGet();
            LATER.schedule(answer, slowMillis, TimeUnit.MILLISECONDS);
          } else {
            answer.run();
          }
        }, callback::failed));
        return true;
      }
    });
    server.start();
  }

  /** A Jetty server on 127.0.0.1:port with a deep accept queue, not started. */
  private static Server onLoopback(int port) {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setAcceptQueueSize(1024);
    server.addConnector(connector);
    return server;
  }

  private static void start(int port, long delayMillis, boolean blackHole) throws Exception {
    Server server = onLoopback(port);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback)
          throws Exception {
        if (blackHole) {
          return true; // never answers
        }
        if (delayMillis > 0) {
          TimeUnit.MILLISECONDS.sleep(delayMillis); // the shadow's own slowness
        }
        response.setStatus(204);
        callback.succeeded();
        return true;
      }
    });
    server.start();
  }
}
