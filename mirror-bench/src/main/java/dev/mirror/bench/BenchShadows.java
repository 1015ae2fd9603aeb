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
    System.out.println("shadows ready");
    Thread.currentThread().join();
  }

  /** Reads the first bytes of each connection, then resets it (RST, not FIN). */
  private static void startResetting(int port) throws Exception {
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

  private static void start(int port, long delayMillis, boolean blackHole) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setAcceptQueueSize(1024);
    server.addConnector(connector);
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
